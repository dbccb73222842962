/**
 * Where the server's API is and how to call it: beside the page (also when the server is mounted under a
 * path, e.g. `app.use('/ai', ...)`), with the API key when the server needs one.
 */
import { listModels, type ModelList } from '../../browser/index.js';
import type { ApiKeyStore } from './api-key.js';

export const BASE_URL = new URL('.', location.href).pathname.replace(/\/$/, '');

export function clientOptions(keys: ApiKeyStore): { baseUrl: string; apiKey?: string } {
  const apiKey = keys.value;
  return apiKey === undefined ? { baseUrl: BASE_URL } : { baseUrl: BASE_URL, apiKey };
}

/** GET /api/models, asking for an API key (again) while the server refuses the one it has. */
export async function loadModelList(keys: ApiKeyStore, problem?: string): Promise<ModelList> {
  try {
    return await listModels(clientOptions(keys));
  } catch (error) {
    if ((error as { status?: number }).status !== 401) throw error;
    await keys.ask(problem === undefined ? undefined : 'That key was not accepted. Check it and try again.');
    return loadModelList(keys, 'retry');
  }
}
