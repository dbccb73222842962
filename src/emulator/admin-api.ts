/**
 * The emulator's admin API under `/_emulator/`: script faults and answers, read and clear the request log,
 * change speed and quotas at run time. For tests in other processes and for curl.
 */
import { z } from 'zod';
import { faultRuleSchema, type FaultInjector } from './faults.js';
import { guardrailSchema, type GuardrailRegistry } from './guardrails.js';
import type { PromptCache } from './prompt-cache.js';
import { parseJsonBody, readBody, sendJson } from './http-io.js';
import { listModels } from './model-catalog.js';
import type { QuotaSimulator } from './quota.js';
import type { RequestLog } from './request-log.js';
import { scriptRuleSchema, type ScriptedAnswers } from './scripted-answers.js';
import type { Speed } from './timing.js';
import type { EmulatorRequest, EmulatorResponse } from './transport.js';

export interface AdminState {
  faults: FaultInjector;
  scripts: ScriptedAnswers;
  guardrails: GuardrailRegistry;
  promptCache: PromptCache;
  requestLog: RequestLog;
  quota: QuotaSimulator;
  getSpeed(): Speed;
  setSpeed(speed: Speed): void;
}

const configSchema = z.object({
  speed: z.union([z.literal('instant'), z.literal('realistic'), z.number().positive()]).optional(),
  quota: z
    .object({
      tokensPerMinute: z.number().int().positive().optional(),
      requestsPerMinute: z.number().int().positive().optional(),
      burndown: z.number().positive().optional(),
      periodMs: z.number().int().positive().optional(),
    })
    .optional(),
});

export async function handleAdmin(
  req: EmulatorRequest,
  res: EmulatorResponse,
  path: string,
  state: AdminState,
): Promise<void> {
  const method = req.method ?? 'GET';
  const key = `${method} ${path.replace(/\/+$/, '')}`;
  try {
    switch (key) {
      case 'GET /_emulator/health':
        return sendJson(res, 200, { ok: true });
      case 'GET /_emulator/models':
        return sendJson(res, 200, { models: listModels() });
      case 'GET /_emulator/requests':
        return sendJson(res, 200, { requests: state.requestLog.entries() });
      case 'DELETE /_emulator/requests':
        state.requestLog.clear();
        return sendJson(res, 200, { cleared: true });
      case 'GET /_emulator/faults':
        return sendJson(res, 200, { faults: state.faults.pending() });
      case 'DELETE /_emulator/faults':
        state.faults.clear();
        return sendJson(res, 200, { cleared: true });
      case 'POST /_emulator/faults': {
        const input = parseJsonBody(await readBody(req, 1_000_000));
        const rules = z.array(faultRuleSchema).safeParse(Array.isArray(input) ? input : [input]);
        if (!rules.success) return sendValidationError(res, rules.error);
        for (const rule of rules.data) state.faults.add(rule);
        return sendJson(res, 201, { added: rules.data.length, faults: state.faults.pending() });
      }
      case 'GET /_emulator/scripts':
        return sendJson(res, 200, { scripts: state.scripts.list() });
      case 'DELETE /_emulator/scripts':
        state.scripts.clear();
        return sendJson(res, 200, { cleared: true });
      case 'POST /_emulator/scripts': {
        // Scripted text can be long (long-answer UI tests), hence the larger body limit.
        const input = parseJsonBody(await readBody(req, 10_000_000));
        const rules = z.array(scriptRuleSchema).safeParse(Array.isArray(input) ? input : [input]);
        if (!rules.success) return sendValidationError(res, rules.error);
        for (const rule of rules.data) state.scripts.add(rule);
        return sendJson(res, 201, { added: rules.data.length, scripts: state.scripts.list() });
      }
      case 'GET /_emulator/guardrails':
        return sendJson(res, 200, { guardrails: state.guardrails.list() });
      case 'DELETE /_emulator/guardrails':
        state.guardrails.clear();
        return sendJson(res, 200, { cleared: true });
      case 'POST /_emulator/guardrails': {
        const input = parseJsonBody(await readBody(req, 1_000_000));
        const configs = z.array(guardrailSchema).safeParse(Array.isArray(input) ? input : [input]);
        if (!configs.success) return sendValidationError(res, configs.error);
        for (const config of configs.data) state.guardrails.add(config);
        return sendJson(res, 201, { added: configs.data.length, guardrails: state.guardrails.list() });
      }
      case 'DELETE /_emulator/cache':
        state.promptCache.clear();
        return sendJson(res, 200, { cleared: true });
      case 'GET /_emulator/config':
        return sendJson(res, 200, { speed: state.getSpeed() });
      case 'PUT /_emulator/config': {
        const config = configSchema.safeParse(parseJsonBody(await readBody(req, 100_000)));
        if (!config.success) return sendValidationError(res, config.error);
        if (config.data.speed !== undefined) state.setSpeed(config.data.speed);
        if (config.data.quota !== undefined) state.quota.configure(stripUndefined(config.data.quota));
        return sendJson(res, 200, { speed: state.getSpeed() });
      }
      default:
        return sendJson(res, 404, {
          message: `No admin route ${key}. Routes: GET /_emulator/health, GET /_emulator/models, GET|DELETE /_emulator/requests, GET|POST|DELETE /_emulator/faults, GET|POST|DELETE /_emulator/scripts, GET|POST|DELETE /_emulator/guardrails, DELETE /_emulator/cache, GET|PUT /_emulator/config.`,
        });
    }
  } catch (error) {
    sendJson(res, 400, { message: error instanceof Error ? error.message : String(error) });
  }
}

function sendValidationError(res: EmulatorResponse, error: z.ZodError): void {
  const problems = error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
  sendJson(res, 400, { message: `Invalid admin request: ${problems.join('; ')}` });
}

function stripUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}
