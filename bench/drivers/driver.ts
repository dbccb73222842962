/**
 * What every benchmark driver implements: stream one Claude answer's text against the emulator the
 * way a developer would with that library, and count the text chunks it delivered.
 */

/** The model every driver streams: Claude's Messages family, which each peer library supports. */
export const BENCH_MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
export const BENCH_REGION = 'us-east-1';
export const BENCH_CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' } as const;
// No driver sets sampling: the emulator's text depends on it, and the defaults agree across APIs.

export interface StreamOptions {
  signal?: AbortSignal;
  /** Called once, when the first text delta reaches the caller. */
  onFirstText?: () => void;
}

export interface StreamResult {
  text: string;
  /** Text deltas the library handed to the caller. */
  chunks: number;
}

export interface BenchDriver {
  readonly name: string;
  /** How it reaches Bedrock: API, HTTP stack and event-stream decoder. */
  readonly transport: string;
  stream(modelId: string, prompt: string, maxTokens: number, options?: StreamOptions): Promise<StreamResult>;
  close(): Promise<void>;
}

export type DriverFactory = (endpoint: string) => BenchDriver;

/** Counts deltas and fires onFirstText once; shared so every driver pays the same bookkeeping. */
export class TextCollector {
  text = '';
  chunks = 0;
  readonly #onFirstText: (() => void) | undefined;

  constructor(options: StreamOptions | undefined) {
    this.#onFirstText = options?.onFirstText;
  }

  add(delta: string): void {
    if (delta === '') return;
    if (this.chunks === 0) this.#onFirstText?.();
    this.text += delta;
    this.chunks++;
  }

  result(): StreamResult {
    return { text: this.text, chunks: this.chunks };
  }
}
