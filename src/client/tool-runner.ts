/**
 * The multi-step tool loop: stream a step, run the tools the model called (in parallel), append the
 * assistant's tool-call turn and the user's tool-result turn, and go on until the model answers without
 * calling a tool or `maxSteps` model calls were made. Shaped after the Vercel AI SDK's `maxSteps` /
 * `stopWhen(stepCountIs(n))` and Anthropic's tool runner: tools are `{ description, inputSchema, execute }`
 * keyed by name, a step is one model call plus the tools it called, a thrown error becomes an error
 * result the model sees (so it can recover), and the result lists every step with the usage summed.
 * One event stream covers every step, with `step-start` / `step-finish` around each step's events and a
 * `tool-result` event per tool run; one signal (or `abort()`) stops the running step and the running tools.
 */
import { AbortError, BedrockInferenceError, ValidationError } from '../errors.js';
import type { ContentPart, ToolDefinition, ToolResultPart } from '../models/content.js';
import type { ChatMessage } from '../models/types.js';
import type { StreamEvent } from './stream-event.js';
import type { InferenceRequest, InferenceResult, InferenceStream, InferenceUsage, ToolCall } from './types.js';

/** The default most model calls a run makes (each step is one call plus the tools it called). */
export const DEFAULT_MAX_STEPS = 5;

export interface ToolExecutionContext {
  /** Aborted when the run is: pass it on to fetches and child processes. */
  signal: AbortSignal;
  toolCallId: string;
  /** The step (1-based) whose model call asked for this tool. */
  step: number;
}

/** A tool the runner can call: its definition for the model, and the code that runs it. */
export interface RunnableTool<Input = unknown, Output = unknown> {
  description?: string;
  /** JSON Schema of the input (an object schema); the model's input is passed to execute as parsed. */
  inputSchema: Record<string, unknown>;
  /** Returns a string (sent as text) or any JSON value; a throw becomes an error result. */
  execute(input: Input, context: ToolExecutionContext): Output | Promise<Output>;
}

export interface RunToolsRequest extends Omit<InferenceRequest, 'tools'> {
  /**
   * Each tool's `execute` declares its own input type (a method, so a typed tool fits here); the input is
   * the model's JSON as parsed, not checked against the schema.
   */
  tools: Record<string, RunnableTool>;
  /** Most model calls in all (default 5); the run stops after the step that reaches it. */
  maxSteps?: number;
}

export interface StepStartEvent {
  type: 'step-start';
  /** 1-based. */
  step: number;
}

/** A tool ran (or failed: `isError`, `output` is the error's message). */
export interface ToolResultEvent {
  type: 'tool-result';
  step: number;
  toolCallId: string;
  toolName: string;
  output: unknown;
  isError: boolean;
}

export interface StepFinishEvent {
  type: 'step-finish';
  step: number;
  /** The step's model call. */
  result: InferenceResult;
  toolResults: ToolResultEvent[];
}

export type ToolRunEvent = StreamEvent | StepStartEvent | ToolResultEvent | StepFinishEvent;

export interface ToolRunStep {
  step: number;
  result: InferenceResult;
  toolCalls: ToolCall[];
  toolResults: ToolResultEvent[];
}

export interface ToolRunResult {
  /** The last step's text: the answer when the model finished. */
  text: string;
  stopReason: InferenceResult['stopReason'];
  /** `answered`: the last step called no tool; `max-steps`: maxSteps model calls were made. */
  finishReason: 'answered' | 'max-steps';
  steps: ToolRunStep[];
  /** Every step's usage summed (`estimated` when any step's was). */
  usage: InferenceUsage;
  /** The whole conversation: the request's messages, each step's turns, the final answer. */
  messages: ChatMessage[];
}

export interface ToolRun extends AsyncIterable<ToolRunEvent> {
  /** Every step's events in one stream. Single consumer. */
  events(): AsyncIterableIterator<ToolRunEvent>;
  /** Resolves when the run ends (consuming the events itself when nobody iterates them). */
  finalResult(): Promise<ToolRunResult>;
  /** Stops the running step and the running tools; the run ends with an AbortError. */
  abort(reason?: unknown): void;
  readonly signal: AbortSignal;
}

type StepCaller = (messages: readonly ChatMessage[]) => InferenceStream;

/** What the runner needs of the client: one streamed call. */
export interface StreamingCaller {
  invokeStream(request: InferenceRequest): InferenceStream;
}

function checkRunRequest(request: RunToolsRequest): number {
  const maxSteps = request.maxSteps ?? DEFAULT_MAX_STEPS;
  if (!Number.isInteger(maxSteps) || maxSteps < 1) {
    throw new ValidationError(`maxSteps must be a whole number of at least 1 (got ${String(request.maxSteps)}).`);
  }
  if (request.prompt !== undefined && request.messages !== undefined) {
    throw new ValidationError('Pass either `prompt` or `messages`, not both: put the prompt in the last user message.');
  }
  if (typeof request.tools !== 'object' || request.tools === null || Object.keys(request.tools).length === 0) {
    throw new ValidationError('runTools needs `tools`: an object of { description, inputSchema, execute } by name.');
  }
  for (const [name, tool] of Object.entries(request.tools)) {
    if (typeof tool?.execute !== 'function') {
      throw new ValidationError(`tools.${name}.execute must be a function (input, { signal }) => result.`);
    }
  }
  return maxSteps;
}

export function runTools(caller: StreamingCaller, request: RunToolsRequest): ToolRun {
  const maxSteps = checkRunRequest(request);
  return new ToolRunner(caller, request, maxSteps);
}

class ToolRunner implements ToolRun {
  readonly #controller = new AbortController();
  readonly #generator: AsyncGenerator<ToolRunEvent, void, undefined>;
  readonly #result: Promise<ToolRunResult>;
  #resolve!: (result: ToolRunResult) => void;
  #reject!: (error: unknown) => void;
  #claimed = false;
  readonly #unlink: () => void;

  constructor(caller: StreamingCaller, request: RunToolsRequest, maxSteps: number) {
    this.#result = new Promise<ToolRunResult>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Reported through the iterator as well; never an unhandled rejection on its own.
    this.#result.catch(() => undefined);
    const { tools, maxSteps: _maxSteps, prompt, signal: _signal, ...base } = request;
    const definitions: ToolDefinition[] = Object.entries(tools).map(([name, tool]) => ({
      name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      inputSchema: tool.inputSchema,
    }));
    const messages: ChatMessage[] =
      prompt === undefined ? [...(request.messages ?? [])] : [{ role: 'user', content: prompt }];
    const step: StepCaller = (turns) =>
      caller.invokeStream({ ...base, messages: turns, tools: definitions, signal: this.signal });
    // The first step's stream is made now (it reads nothing until iterated), so a bad request throws here.
    const first = step([...messages]);
    const outer = request.signal;
    const onAbort = () => this.abort(outer?.reason);
    if (outer?.aborted) onAbort();
    else outer?.addEventListener('abort', onAbort, { once: true });
    this.#unlink = () => outer?.removeEventListener('abort', onAbort);
    this.#generator = this.#run(step, first, tools, messages, maxSteps);
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  abort(reason?: unknown): void {
    if (this.#controller.signal.aborted) return;
    this.#controller.abort(
      reason instanceof AbortError ? reason : new AbortError('The tool run was aborted.', { cause: reason }),
    );
  }

  events(): AsyncIterableIterator<ToolRunEvent> {
    if (this.#claimed) throw new Error('This tool run is already being consumed (events() is single-consumer).');
    this.#claimed = true;
    return this.#generator;
  }

  [Symbol.asyncIterator](): AsyncIterator<ToolRunEvent> {
    return this.events();
  }

  async finalResult(): Promise<ToolRunResult> {
    if (!this.#claimed) {
      this.#claimed = true;
      // Nobody iterates: drive the run here (its events go nowhere).
      for await (const event of this.#generator) void event;
    }
    return this.#result;
  }

  async *#run(
    callStep: StepCaller,
    first: InferenceStream,
    tools: RunToolsRequest['tools'],
    messages: ChatMessage[],
    maxSteps: number,
  ): AsyncGenerator<ToolRunEvent> {
    const signal = this.#controller.signal;
    const steps: ToolRunStep[] = [];
    let finished = false;
    try {
      for (let step = 1; ; step++) {
        yield { type: 'step-start', step };
        // Each step sends a copy of the conversation so far (the next turns are appended to `messages`).
        const stream = step === 1 ? first : callStep([...messages]);
        for await (const event of stream.events()) yield event;
        const result = await stream.finalResult();
        const toolCalls = result.toolCalls;
        if (toolCalls.length === 0) {
          if (result.text !== '') messages.push({ role: 'assistant', content: result.text });
          steps.push({ step, result, toolCalls, toolResults: [] });
          // Settled before the last event: a consumer may stop reading at it.
          finished = true;
          this.#resolve(runResult(steps, messages, 'answered'));
          yield { type: 'step-finish', step, result, toolResults: [] };
          return;
        }
        messages.push({ role: 'assistant', content: assistantTurn(result) });
        // Results go back in call order, whatever order the tools finished in.
        const ordered: ToolResultEvent[] = new Array<ToolResultEvent>(toolCalls.length);
        for await (const [index, toolResult] of executeAll(tools, toolCalls, step, signal)) {
          ordered[index] = toolResult;
          yield toolResult;
        }
        messages.push({ role: 'user', content: ordered.map(toolResultPart) });
        steps.push({ step, result, toolCalls, toolResults: ordered });
        if (step >= maxSteps) {
          finished = true;
          this.#resolve(runResult(steps, messages, 'max-steps'));
        }
        yield { type: 'step-finish', step, result, toolResults: ordered };
        if (finished) return;
      }
    } catch (error) {
      const failure = signal.aborted && !BedrockInferenceError.isInstance(error) ? signal.reason : error;
      this.#reject(failure);
      throw failure;
    } finally {
      this.#unlink();
      if (!finished) {
        // A consumer that stopped reading (break) stops the step or the tools still running, and the run ends.
        this.abort();
        this.#reject(this.signal.reason);
      }
    }
  }
}

/** The assistant's tool-calling turn as the history keeps it: its text (when any), then its tool calls. */
function assistantTurn(result: InferenceResult): ContentPart[] {
  const parts: ContentPart[] = result.text === '' ? [] : [{ type: 'text', text: result.text }];
  for (const call of result.toolCalls)
    parts.push({ type: 'tool-call', id: call.id, name: call.name, input: call.input });
  return parts;
}

function toolResultPart(result: ToolResultEvent): ToolResultPart {
  const { output } = result;
  return {
    type: 'tool-result',
    toolCallId: result.toolCallId,
    content: typeof output === 'string' ? output : { json: output ?? null },
    ...(result.isError ? { isError: true } : {}),
  };
}

/** Runs every call at once; yields each result (with its call's index) as its tool finishes; throws on abort. */
async function* executeAll(
  tools: RunToolsRequest['tools'],
  calls: readonly ToolCall[],
  step: number,
  signal: AbortSignal,
): AsyncGenerator<[number, ToolResultEvent]> {
  const pending = new Map<number, Promise<[number, ToolResultEvent]>>();
  calls.forEach((call, index) => {
    pending.set(
      index,
      execute(tools, call, step, signal).then((result) => [index, result]),
    );
  });
  const aborted = abortPromise(signal);
  try {
    while (pending.size > 0) {
      const [index, result] = await Promise.race([...pending.values(), aborted.promise]);
      pending.delete(index);
      yield [index, result];
    }
  } finally {
    aborted.dispose();
  }
}

async function execute(
  tools: RunToolsRequest['tools'],
  call: ToolCall,
  step: number,
  signal: AbortSignal,
): Promise<ToolResultEvent> {
  const base = { type: 'tool-result', step, toolCallId: call.id, toolName: call.name } as const;
  const tool = Object.hasOwn(tools, call.name) ? tools[call.name] : undefined;
  if (tool === undefined) {
    return {
      ...base,
      output: `Unknown tool "${call.name}": call one of ${Object.keys(tools).join(', ')}.`,
      isError: true,
    };
  }
  try {
    const output: unknown = await tool.execute(call.input, { signal, toolCallId: call.id, step });
    return { ...base, output, isError: false };
  } catch (error) {
    return { ...base, output: error instanceof Error ? error.message : String(error), isError: true };
  }
}

/** A promise that rejects with the signal's reason when it aborts (disposed once the race is over). */
function abortPromise(signal: AbortSignal): { promise: Promise<never>; dispose: () => void } {
  let onAbort = (): void => undefined;
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => undefined);
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

function runResult(
  steps: ToolRunStep[],
  messages: ChatMessage[],
  finishReason: ToolRunResult['finishReason'],
): ToolRunResult {
  const last = steps[steps.length - 1]!.result;
  return {
    text: last.text,
    stopReason: last.stopReason,
    finishReason,
    steps,
    usage: sumUsage(steps.map((s) => s.result.usage)),
    messages,
  };
}

function sumUsage(usages: readonly InferenceUsage[]): InferenceUsage {
  const total: InferenceUsage = { inputTokens: 0, outputTokens: 0, source: 'bedrock' };
  for (const usage of usages) {
    total.inputTokens += usage.inputTokens;
    total.outputTokens += usage.outputTokens;
    if (usage.source === 'estimated') total.source = 'estimated';
    if (usage.cacheReadInputTokens !== undefined) {
      total.cacheReadInputTokens = (total.cacheReadInputTokens ?? 0) + usage.cacheReadInputTokens;
    }
    if (usage.cacheWriteInputTokens !== undefined) {
      total.cacheWriteInputTokens = (total.cacheWriteInputTokens ?? 0) + usage.cacheWriteInputTokens;
    }
  }
  return total;
}
