/**
 * A guardrail's verdict as Bedrock reports it (bedrock-wire.md §4, §5): on InvokeModel* a chunk (or the
 * response body) carries `amazon-bedrock-guardrailAction` (INTERVENED | NONE) and, with trace on,
 * `amazon-bedrock-trace`; on Converse the stop reason is `guardrail_intervened` and `metadata.trace.guardrail`
 * holds the assessments. Both become one `guardrail` event saying which side was blocked and whether text
 * already streamed must be taken back. Used only for calls with a guardrail: no cost on the plain path.
 */
import type { ChunkEvent, GuardrailEvent } from '../client/stream-event.js';
import { INVOCATION_METRICS } from './bedrock-metrics.js';
import type { ChunkEventSink } from './types.js';

export const GUARDRAIL_ACTION = 'amazon-bedrock-guardrailAction';
export const BEDROCK_TRACE = 'amazon-bedrock-trace';

/** Whether an assessment (any depth) has a policy that blocked. */
function blocks(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(blocks);
  if (typeof value !== 'object' || value === null) return false;
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'action' && inner === 'BLOCKED') return true;
    if (typeof inner === 'object' && blocks(inner)) return true;
  }
  return false;
}

/**
 * The side the trace says was blocked, when it says so: Converse's `inputAssessment`/`outputAssessments`,
 * InvokeModel's `input`/`outputs`.
 */
function tracedPhase(trace: unknown): 'input' | 'output' | undefined {
  if (typeof trace !== 'object' || trace === null) return undefined;
  const { inputAssessment, outputAssessments, input, outputs } = trace as Record<string, unknown>;
  if (blocks(inputAssessment) || blocks(input)) return 'input';
  if (blocks(outputAssessments) || blocks(outputs)) return 'output';
  return undefined;
}

/** The guardrail part of a trace (`{guardrail: …}`, some documents say `guardrails`), else the whole. */
function guardrailTrace(trace: unknown): unknown {
  if (typeof trace !== 'object' || trace === null) return undefined;
  const record = trace as { guardrail?: unknown; guardrails?: unknown };
  return record.guardrail ?? record.guardrails ?? trace;
}

/**
 * Follows one attempt's events and Bedrock's guardrail fields. `sink` passes the decoder's events on,
 * noting streamed text, and after an intervention reports the stop as `guardrail_intervened` (the
 * family's own reason stays in `rawReason`).
 */
export class GuardrailWatch {
  readonly sink: ChunkEventSink;
  #textSeen = false;
  #intervened = false;
  #reported: GuardrailEvent | undefined;
  /** A verdict was reported with its trace (the phase then is Bedrock's word). */
  #traced = false;
  #converseStop = false;
  #outputTokens: number | undefined;

  /**
   * `exposeTrace`: whether the caller asked for the trace. The client asks Bedrock for it with every
   * guardrail (it says exactly which side was blocked) and hands it on only when asked.
   */
  constructor(
    private readonly emit: ChunkEventSink,
    private readonly exposeTrace = true,
  ) {
    this.sink = (event: ChunkEvent) => {
      if (event.type === 'text') this.#textSeen = true;
      else if (event.type === 'stop' && this.#intervened && event.reason !== 'content_filtered') {
        emit({ ...event, reason: 'guardrail_intervened' });
        return;
      }
      emit(event);
    };
  }

  /** A native chunk or InvokeModel body; read before the chunk's own events (its text is the verdict's). */
  readNative(chunk: Record<string, unknown>): void {
    const action = chunk[GUARDRAIL_ACTION];
    const trace = guardrailTrace(chunk[BEDROCK_TRACE]);
    const metrics = chunk[INVOCATION_METRICS] as { outputTokenCount?: number } | undefined;
    if (metrics?.outputTokenCount !== undefined) this.#outputTokens = metrics.outputTokenCount;
    const previous = this.#reported;
    const intervened = typeof action === 'string' ? action.toUpperCase().includes('INTERVENED') : undefined;
    if (intervened !== undefined && (previous === undefined || (previous.action === 'intervened') !== intervened)) {
      this.#report(intervened, trace);
    } else if (trace !== undefined && previous !== undefined && !this.#traced) {
      // The trace came after the verdict (on the last chunk): the verdict again, now with it.
      this.#report(previous.action === 'intervened', trace, true);
    }
  }

  /** A ConverseStream event (or the Converse response's fields, as `messageStop` then `metadata`). */
  readConverse(eventType: string, payload: Record<string, unknown>): void {
    if (eventType === 'messageStop') {
      this.#converseStop = payload.stopReason === 'guardrail_intervened';
      return;
    }
    if (eventType !== 'metadata') return;
    const trace = (payload.trace as { guardrail?: unknown } | undefined)?.guardrail;
    this.#outputTokens = (payload.usage as { outputTokens?: number } | undefined)?.outputTokens;
    if (this.#converseStop || trace !== undefined)
      this.#report(this.#converseStop || tracedPhase(trace) !== undefined, trace);
  }

  #report(intervened: boolean, trace: unknown, again = false): void {
    const previous = this.#reported;
    // Blocked input never reaches the model: the trace says so, or no output token was generated.
    const phase =
      tracedPhase(trace) ??
      (again && previous !== undefined ? previous.phase : undefined) ??
      (this.#outputTokens === 0 || !this.#textSeen ? 'input' : 'output');
    const event: GuardrailEvent = {
      type: 'guardrail',
      action: intervened ? 'intervened' : 'none',
      phase,
      withdrawsStreamedText: intervened && phase === 'output' && this.#textSeen,
      ...(trace === undefined || !this.exposeTrace ? {} : { trace }),
    };
    this.#intervened ||= intervened;
    this.#traced ||= trace !== undefined;
    this.#reported = event;
    this.emit(event);
  }
}
