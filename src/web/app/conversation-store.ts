/**
 * The conversation and settings kept across reloads in localStorage. A generation still running is
 * stored by id, so a reload re-attaches to it and carries on. The API key is never stored here.
 */
import type { GuardrailNotice, ToolCallState } from '../../browser/index.js';
import type { AnswerMetrics } from './answer-metrics.js';

export type AnswerStatus = 'done' | 'stopped' | 'error';

export interface StoredMessage {
  role: 'user' | 'assistant';
  content: string;
  reasoning?: string;
  model?: string;
  /** The server's id for the generation (for Share while the server still keeps it). */
  generationId?: string;
  status?: AnswerStatus;
  /** What ended an answer that did not finish. */
  note?: string;
  metrics?: AnswerMetrics;
  /** The tool calls shown in the answer (and their results, for tools the server ran). */
  toolCalls?: ToolCallState[];
  /** A guardrail's intervention; when it withdrew the text, the answer stays out of the next request. */
  guardrail?: GuardrailNotice;
}

export interface StoredConversation {
  messages: StoredMessage[];
  /** The generation streaming into the last message when the page went away. */
  running?: { generationId: string; model: string; prefix: string };
}

export interface Settings {
  model: string | undefined;
  maxTokens: number;
  temperature: number;
  system: string;
  reasoning: boolean;
  smooth: boolean;
}

const CONVERSATION_KEY = 'bedrock-chat:conversation:v1';
const SETTINGS_KEY = 'bedrock-chat:settings:v1';

export const DEFAULT_SETTINGS: Settings = {
  model: undefined,
  maxTokens: 1024,
  temperature: 0.7,
  system: '',
  reasoning: false,
  smooth: true,
};

export function loadConversation(): StoredConversation {
  const value = read(CONVERSATION_KEY);
  if (typeof value !== 'object' || value === null || !Array.isArray((value as StoredConversation).messages)) {
    return { messages: [] };
  }
  const conversation = value as StoredConversation;
  conversation.messages = conversation.messages.filter(
    (m) => (m.role === 'user' || m.role === 'assistant') && typeof m.content === 'string',
  );
  return conversation;
}

export function saveConversation(conversation: StoredConversation): void {
  write(CONVERSATION_KEY, conversation);
}

export function loadSettings(): Settings {
  const value = read(SETTINGS_KEY);
  return typeof value === 'object' && value !== null
    ? { ...DEFAULT_SETTINGS, ...(value as Partial<Settings>) }
    : { ...DEFAULT_SETTINGS };
}

export function saveSettings(settings: Settings): void {
  write(SETTINGS_KEY, settings);
}

function read(key: string): unknown {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? undefined : JSON.parse(raw);
  } catch {
    return undefined; // storage off (private mode) or a corrupt entry: start fresh
  }
}

function write(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Quota exceeded or storage off: the page keeps working, only the reload memory is lost.
  }
}
