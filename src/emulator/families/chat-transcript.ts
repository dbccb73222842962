/**
 * Turns chat messages or a templated prompt into the plain conversation text that seeds the generator,
 * separating a trailing assistant prefill. Every chat family and Converse use the same layout, so the
 * same question gets the same answer whichever API asks it.
 */
import { countTokens } from '../text/tokenizer.js';
import type { CachePoint } from '../prompt-cache.js';
import type { ToolRequest, ToolResultText } from '../tools/tool-types.js';
import type { GenerationRequest } from './types.js';

export interface ChatTurn {
  role: 'user' | 'assistant';
  text: string;
}

/** Text of a message content: a string, or the `text` of its blocks (tool results included). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const block of content) {
    if (typeof block !== 'object' || block === null) continue;
    const record = block as Record<string, unknown>;
    if (typeof record.text === 'string') text += record.text;
    else if (record.content !== undefined) text += contentText(record.content);
    else if (typeof record.toolResult === 'object' && record.toolResult !== null) {
      text += contentText((record.toolResult as Record<string, unknown>).content);
    }
  }
  return text;
}

export interface Transcript {
  conversation: string;
  prefill?: string;
  /** The last user turn's text (what scripted answers match a prompt against). */
  lastUserText?: string;
}

/** `System: …\n\nUser: …\n\nAssistant: …`; a last assistant turn becomes the prefill. */
export function transcript(system: string, turns: readonly ChatTurn[]): Transcript {
  const last = turns[turns.length - 1];
  const prefill = last?.role === 'assistant' ? last.text : undefined;
  const parts: string[] = [];
  if (system !== '') parts.push(`System: ${system}`);
  const end = prefill === undefined ? turns.length : turns.length - 1;
  for (let i = 0; i < end; i++) parts.push(`${turns[i]!.role === 'user' ? 'User' : 'Assistant'}: ${turns[i]!.text}`);
  const result: Transcript = { conversation: parts.join('\n\n') };
  if (prefill !== undefined) result.prefill = prefill;
  const lastUser = turns.findLast((turn) => turn.role === 'user');
  if (lastUser !== undefined) result.lastUserText = lastUser.text;
  return result;
}

/**
 * For prompt-template families: the text after the last assistant marker is a prefill, so a client that
 * resumes by appending partial text to the prompt gets the continuation of the same answer.
 */
export function splitPrompt(prompt: string, markers: readonly string[]): { conversation: string; prefill?: string } {
  let end = -1;
  for (const marker of markers) {
    const at = prompt.lastIndexOf(marker);
    if (at >= 0 && at + marker.length > end) end = at + marker.length;
  }
  if (end < 0 || prompt.slice(end).trim() === '') return { conversation: end < 0 ? prompt : prompt.slice(0, end) };
  return { conversation: prompt.slice(0, end), prefill: prompt.slice(end) };
}

export interface GenerationFields {
  conversation: string;
  prefill?: string | undefined;
  lastUserText?: string | undefined;
  maxTokens: number;
  temperature: number;
  topP?: number | undefined;
  topK?: number | undefined;
  stopSequences?: readonly string[] | undefined;
  reasoning?: boolean;
  tools?: ToolRequest | undefined;
  toolResults?: ToolResultText[] | undefined;
  /** Input tokens beyond the text: images and documents (media.ts). */
  mediaTokens?: number;
  cachePoints?: CachePoint[] | undefined;
}

/** A GenerationRequest whose inputTokens follow the emulator's one token rule. */
export function generationRequest(fields: GenerationFields): GenerationRequest {
  const request: GenerationRequest = {
    conversation: fields.conversation,
    maxTokens: fields.maxTokens,
    temperature: fields.temperature,
    stopSequences: fields.stopSequences ?? [],
    reasoning: fields.reasoning ?? false,
    inputTokens: countTokens(fields.conversation + (fields.prefill ?? '')) + (fields.mediaTokens ?? 0),
  };
  if (fields.prefill !== undefined && fields.prefill !== '') request.prefill = fields.prefill;
  if (fields.lastUserText !== undefined) request.lastUserText = fields.lastUserText;
  if (fields.topP !== undefined) request.topP = fields.topP;
  if (fields.topK !== undefined) request.topK = fields.topK;
  if (fields.tools !== undefined) request.tools = fields.tools;
  if (fields.toolResults !== undefined) request.toolResults = fields.toolResults;
  if (fields.cachePoints !== undefined) request.cachePoints = fields.cachePoints;
  return request;
}
