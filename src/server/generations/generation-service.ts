/**
 * GenerationService: runs each generation's upstream stream (one model call, or a multi-step tool run
 * when the server runs its own tools) in the background and writes its events to the registry, where any number of viewers (in this process or another sharing Redis) replay and
 * follow them. A generation ends with exactly one terminal event: `done`, `error` or `cancelled`.
 * It stops early when anyone cancels it, when its last viewer leaves (unless started detached), or
 * when the server shuts down.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { assertNever, ServiceError, type BedrockStreamingClient, type InferenceRequest } from '../../index.js';
import type { ServerTools } from '../server-tools.js';
import { isTerminalEvent } from '../registry/memory-registry.js';
import type { GenerationEvent, GenerationEventType, GenerationInfo, GenerationRegistry } from '../registry/types.js';
import { DeltaWriter } from './delta-writer.js';
import {
  cancelledData,
  deltaData,
  errorData,
  guardrailData,
  lostData,
  retryData,
  shuttingDownData,
  startData,
  stepData,
  toolCallData,
  toolCallDeltaData,
  toolCallStartData,
  toolResultData,
  usageData,
} from './event-data.js';
import { singleCall, toolRun, type GenerationSource } from './generation-source.js';

export interface GenerationServiceOptions {
  registry: GenerationRegistry;
  client: BedrockStreamingClient;
  logger?: Logger;
  /** Upstream is stopped when the last viewer leaves a non-detached generation, after this grace (default 0 ms). */
  disconnectGraceMs?: number;
  /** Most model calls of a generation that runs server tools (default 5). */
  maxToolSteps?: number;
}

export interface StartParams {
  request: InferenceRequest;
  model: string;
  ownerKeyHash: string | null;
  detached: boolean;
  /** Run these tools when the model calls them (client.runTools), streaming each call and result. */
  serverTools?: ServerTools | undefined;
}

type StopCause = 'cancelled' | 'disconnected' | 'shutdown';

/** A generation running in this process. */
interface Run {
  id: string;
  detached: boolean;
  stream: GenerationSource;
  /** The text appended so far: the partial answer viewers saw. */
  sentText: string;
  /** The terminal event is written (or being written): nothing else may be appended. */
  finished: boolean;
  /** Why upstream was aborted by us, deciding the terminal event. */
  cause: StopCause | undefined;
  settled: Promise<void>;
}

export class GenerationService {
  readonly #registry: GenerationRegistry;
  readonly #client: BedrockStreamingClient;
  readonly #logger: Logger | undefined;
  readonly #graceMs: number;
  readonly #maxToolSteps: number;
  readonly #runs = new Map<string, Run>();
  readonly #graceTimers = new Set<NodeJS.Timeout>();
  #shuttingDown = false;

  constructor(options: GenerationServiceOptions) {
    this.#registry = options.registry;
    this.#client = options.client;
    this.#logger = options.logger;
    this.#graceMs = options.disconnectGraceMs ?? 0;
    this.#maxToolSteps = options.maxToolSteps ?? 5;
  }

  /**
   * Creates the generation and starts it in the background. Rejects with the library's
   * ValidationError for a bad request (nothing is created then), or a retryable ServiceError while
   * shutting down.
   */
  async start(params: StartParams): Promise<GenerationInfo> {
    if (this.#shuttingDown) {
      throw new ServiceError('The server is shutting down and starts no new generations; retry on another.', {
        retryable: true,
        statusCode: 503,
      });
    }
    const { request, model, ownerKeyHash, detached, serverTools } = params;
    const modelRequest = request.modelId === undefined ? { ...request, modelId: model } : request;
    // Validates now; nothing is sent upstream until the run pulls the first event.
    const stream =
      serverTools === undefined
        ? singleCall(this.#client.invokeStream(modelRequest))
        : toolRun(this.#client.runTools({ ...modelRequest, tools: serverTools, maxSteps: this.#maxToolSteps }));
    // 128 random bits: generation ids cannot be guessed.
    const id = randomBytes(16).toString('base64url');
    const info = await this.#registry.create({ id, model, ownerKeyHash, detached }).catch((error: unknown) => {
      stream.abort(error);
      throw error;
    });
    const run: Run = {
      id,
      detached,
      stream,
      sentText: '',
      finished: false,
      cause: undefined,
      settled: Promise.resolve(),
    };
    // Listening before anything else: a cancel from now on stops the run, even before it pulls.
    const unsubscribe = this.#registry.onCancelRequested(id, () => this.#stop(run, 'cancelled'));
    try {
      await this.#registry.append(id, 'start', startData(id, model));
    } catch (error) {
      unsubscribe();
      stream.abort(error);
      throw error;
    }
    if (this.#shuttingDown) {
      // shutdown() began while this one was being created: it ends at once, as the others did.
      run.cause = 'shutdown';
      await this.#finish(run, 'error', shuttingDownData(''));
    }
    this.#runs.set(id, run);
    run.settled = this.#run(run).finally(() => {
      unsubscribe();
      this.#runs.delete(id);
    });
    return info;
  }

  /**
   * The generation's events after `afterId`, then live ones, ending after the terminal event or when
   * `signal` aborts. Counts as a viewer while iterating; the last viewer leaving stops a
   * non-detached generation (after the grace period).
   */
  async *events(id: string, afterId: string | undefined, signal: AbortSignal): AsyncGenerator<GenerationEvent> {
    const info = await this.#registry.get(id);
    if (info === undefined) return;
    const detach = await this.#registry.attachViewer(id);
    try {
      let last: GenerationEvent | undefined;
      for await (const event of this.#registry.read(id, afterId, signal)) {
        last = event;
        yield event;
      }
      if (signal.aborted || (last !== undefined && isTerminalEvent(last.type))) return;
      // The log stopped short of its terminal event: the process running it is gone. End it for
      // everyone (only the first such append succeeds; another viewer may have done it already),
      // then read that ending.
      const status = (await this.#registry.get(id))?.status;
      if (status === undefined) return;
      if (status === 'running') await this.#registry.append(id, 'error', lostData()).catch(() => undefined);
      yield* this.#registry.read(id, last?.id ?? afterId, signal);
    } finally {
      await detach().catch((error: unknown) => this.#logger?.warn({ err: error, generation: id }, 'detach failed'));
      if (!info.detached) this.#viewerLeft(id);
    }
  }

  /** Stops the generation for every viewer, wherever it runs; resolves once a local run has ended. */
  async cancel(id: string): Promise<void> {
    const run = this.#runs.get(id);
    if (run === undefined) return this.#registry.requestCancel(id);
    this.#stop(run, 'cancelled');
    await run.settled;
  }

  get(id: string): Promise<GenerationInfo | undefined> {
    return this.#registry.get(id);
  }

  /** Generations running in this process now (a load test checks it returns to 0). */
  get running(): number {
    return this.#runs.size;
  }

  /**
   * Gives every generation running here a final retryable `error` event (type ServerShuttingDown,
   * with the partial text), closes their upstream requests and waits for the writes.
   */
  async shutdown(): Promise<void> {
    this.#shuttingDown = true;
    for (const timer of this.#graceTimers) clearTimeout(timer);
    this.#graceTimers.clear();
    await Promise.all(
      [...this.#runs.values()].map(async (run) => {
        run.cause ??= 'shutdown';
        await this.#finish(run, 'error', shuttingDownData(sentText(run)));
        run.stream.abort(new Error('The server is shutting down.'));
        await run.settled;
      }),
    );
  }

  /** The background loop: upstream events to registry appends, then the terminal event. */
  async #run(run: Run): Promise<void> {
    const { stream } = run;
    if (run.finished) return stream.abort(new Error('The server is shutting down.'));
    const deltas = new DeltaWriter((kind, delta) => this.#appendDelta(run, kind, delta));
    try {
      for await (const event of stream.events()) {
        if (run.finished) break;
        switch (event.type) {
          case 'text':
          case 'reasoning': {
            const waiting = deltas.push(event.type, event.delta);
            if (waiting !== undefined) await waiting;
            break;
          }
          case 'usage':
            await deltas.flush();
            await this.#append(run, 'usage', usageData(event));
            break;
          case 'retry':
            await deltas.flush();
            await this.#append(run, 'retry', retryData(event));
            break;
          // Tool and guardrail events land after the text before them, each as its own log entry (so they
          // replay after Last-Event-ID like text). They are rare next to text: no merging.
          case 'tool-call-start':
            await deltas.flush();
            await this.#append(run, event.type, toolCallStartData(event));
            break;
          case 'tool-call-delta':
            await deltas.flush();
            await this.#append(run, event.type, toolCallDeltaData(event));
            break;
          case 'tool-call':
            await deltas.flush();
            await this.#append(run, event.type, toolCallData(event));
            break;
          case 'guardrail':
            await deltas.flush();
            await this.#append(run, event.type, guardrailData(event));
            break;
          case 'tool-result':
            await deltas.flush();
            await this.#append(
              run,
              event.type,
              toolResultData({
                id: event.toolCallId,
                name: event.toolName,
                content: event.output,
                isError: event.isError,
              }),
            );
            break;
          case 'step-start':
            // The first step is the generation itself; later ones follow the tool results.
            if (event.step > 1) {
              await deltas.flush();
              await this.#append(run, 'step', stepData(event.step));
            }
            break;
          case 'step-finish':
          case 'stop':
          case 'metrics':
          case 'resume':
            // Stop reason and metrics arrive in `done`; a resume continues the text seamlessly.
            break;
          default:
            assertNever(event);
        }
      }
      await deltas.flush();
      if (!run.finished) await this.#finish(run, 'done', await stream.doneData());
    } catch (error) {
      stream.abort(error);
      // Text already received lands before the final event, so the log holds the whole partial answer.
      await deltas.flush().catch(() => undefined);
      if (run.cause === 'cancelled' || run.cause === 'disconnected') {
        await this.#finish(run, 'cancelled', cancelledData(sentText(run), run.cause));
      } else {
        if (!run.finished) this.#logger?.warn({ err: error, generation: run.id }, 'generation failed');
        await this.#finish(run, 'error', errorData(error, sentText(run)));
      }
    }
  }

  /** A text or reasoning append; text counts as sent once its append is issued (appends land in order). */
  #appendDelta(run: Run, kind: 'text' | 'reasoning', delta: string): Promise<void> {
    if (run.finished) return Promise.resolve();
    const appended = this.#registry.append(run.id, kind, deltaData(delta));
    if (kind === 'text') run.sentText += delta;
    return appended.then(() => undefined);
  }

  async #append(run: Run, type: GenerationEventType, data: string): Promise<void> {
    if (!run.finished) await this.#registry.append(run.id, type, data);
  }

  /** Appends the one terminal event; a failure to write it is logged, never thrown. */
  async #finish(run: Run, type: GenerationEventType, data: string): Promise<void> {
    if (run.finished) return;
    run.finished = true;
    try {
      await this.#registry.append(run.id, type, data);
    } catch (error) {
      this.#logger?.error({ err: error, generation: run.id, event: type }, 'could not write the final event');
    }
  }

  #stop(run: Run, cause: StopCause): void {
    if (run.finished || run.cause !== undefined) return;
    run.cause = cause;
    run.stream.abort(new Error(cause === 'cancelled' ? 'The generation was cancelled.' : 'Every viewer left.'));
  }

  /** A viewer of a non-detached generation left: stop it when nobody is watching after the grace. */
  #viewerLeft(id: string): void {
    const check = async () => {
      if ((await this.#registry.viewerCount(id)) > 0) return;
      const run = this.#runs.get(id);
      if (run !== undefined) return run.detached ? undefined : this.#stop(run, 'disconnected');
      // Running in another process: ask it to stop.
      const info = await this.#registry.get(id);
      if (info?.status === 'running' && !info.detached) await this.#registry.requestCancel(id);
    };
    const guarded = () =>
      check().catch((error: unknown) => this.#logger?.warn({ err: error, generation: id }, 'viewer check failed'));
    if (this.#graceMs <= 0) {
      void guarded();
      return;
    }
    const timer = setTimeout(() => {
      this.#graceTimers.delete(timer);
      void guarded();
    }, this.#graceMs);
    timer.unref();
    this.#graceTimers.add(timer);
  }
}

function sentText(run: Run): string {
  return run.sentText;
}
