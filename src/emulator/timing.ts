/**
 * How fast each family streams. Profiles mirror what real traffic looks like: Claude sends larger
 * chunks less often, Llama a token at a time. `instant` skips every wait (tests); a number scales the
 * realistic profile (2 = twice as fast). Set globally, per model, or per request (`x-emulator-speed`).
 */
import type { EmulatorFamily } from './families/types.js';
import { mulberry32 } from './text/seeded-random.js';

export interface TimingProfile {
  /** Time to first token, ms. */
  firstTokenMs: number;
  tokensPerSecond: number;
  /** Tokens grouped into one chunk: a range, picked per chunk. */
  tokensPerChunk: readonly [min: number, max: number];
  /** Random spread applied to every wait, as a fraction (0.2 = ±20 %). */
  jitter: number;
}

export type Speed = 'instant' | 'realistic' | number;

export const FAMILY_PROFILES: Record<EmulatorFamily, TimingProfile> = {
  'anthropic-messages': { firstTokenMs: 600, tokensPerSecond: 70, tokensPerChunk: [3, 8], jitter: 0.25 },
  'anthropic-text': { firstTokenMs: 500, tokensPerSecond: 60, tokensPerChunk: [3, 8], jitter: 0.25 },
  'titan-text': { firstTokenMs: 450, tokensPerSecond: 60, tokensPerChunk: [4, 10], jitter: 0.2 },
  nova: { firstTokenMs: 300, tokensPerSecond: 110, tokensPerChunk: [2, 6], jitter: 0.2 },
  llama: { firstTokenMs: 350, tokensPerSecond: 50, tokensPerChunk: [1, 1], jitter: 0.3 },
  'mistral-text': { firstTokenMs: 300, tokensPerSecond: 55, tokensPerChunk: [1, 2], jitter: 0.3 },
  'mistral-chat': { firstTokenMs: 350, tokensPerSecond: 45, tokensPerChunk: [1, 2], jitter: 0.3 },
  'cohere-r': { firstTokenMs: 400, tokensPerSecond: 50, tokensPerChunk: [1, 2], jitter: 0.25 },
  'cohere-command': { firstTokenMs: 400, tokensPerSecond: 40, tokensPerChunk: [1, 3], jitter: 0.25 },
  'ai21-jamba': { firstTokenMs: 400, tokensPerSecond: 60, tokensPerChunk: [1, 3], jitter: 0.25 },
  'deepseek-r1': { firstTokenMs: 900, tokensPerSecond: 35, tokensPerChunk: [1, 3], jitter: 0.3 },
  'openai-gpt-oss': { firstTokenMs: 300, tokensPerSecond: 120, tokensPerChunk: [1, 4], jitter: 0.25 },
};

export interface TimingOptions {
  speed?: Speed;
  /** Overrides per family or per model id (base id or as sent). */
  families?: Partial<Record<EmulatorFamily, Partial<TimingProfile>>>;
  models?: Record<string, Partial<TimingProfile>>;
}

/** The pacing of one stream: chunk sizes and waits, from a seeded generator so a request re-chunks the same way. */
export interface Pacer {
  readonly instant: boolean;
  firstTokenDelayMs(): number;
  nextChunkSize(): number;
  delayForTokensMs(tokens: number): number;
}

export function parseSpeed(value: string | undefined): Speed | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'instant' || value === 'realistic') return value;
  const multiplier = Number(value);
  return Number.isFinite(multiplier) && multiplier > 0 ? multiplier : undefined;
}

export function createPacer(
  options: TimingOptions,
  target: { family: EmulatorFamily; modelId: string; baseModelId: string; speed?: Speed | undefined },
  seed: number,
): Pacer {
  const profile: TimingProfile = {
    ...FAMILY_PROFILES[target.family],
    ...options.families?.[target.family],
    ...options.models?.[target.baseModelId],
    ...options.models?.[target.modelId],
  };
  const speed = target.speed ?? options.speed ?? 'realistic';
  const instant = speed === 'instant';
  const scale = typeof speed === 'number' ? 1 / speed : 1;
  const random = mulberry32(seed);
  const jittered = (ms: number) => Math.max(0, ms * scale * (1 + profile.jitter * (random() * 2 - 1)));
  const [minChunk, maxChunk] = profile.tokensPerChunk;
  return {
    instant,
    firstTokenDelayMs: () => (instant ? 0 : jittered(profile.firstTokenMs)),
    nextChunkSize: () => minChunk + Math.floor(random() * (maxChunk - minChunk + 1)),
    delayForTokensMs: (tokens) => (instant ? 0 : jittered((tokens * 1_000) / profile.tokensPerSecond)),
  };
}
