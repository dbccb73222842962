/**
 * Joins a streamed tool call's input fragments and parses them when the call's block ends, for every
 * family: adapters say when a call starts (`start`), hand over each raw fragment (`delta`) and say when
 * it ends (`finish`); the assembler emits tool-call-start, tool-call-delta and tool-call. Calls are keyed
 * by what the family uses to tell concurrent blocks apart (Claude's `index`, Converse's
 * `contentBlockIndex`, an OpenAI-style `tool_calls[].index`). Used only for chunks that are not text deltas.
 */
import { ToolInputError } from '../errors.js';
import type { ChunkEventSink } from './types.js';

interface OpenCall {
  id: string;
  name: string;
  fragments: string[];
}

export class ToolCallAssembler {
  // Made at the first call: every stream has an assembler, few make tool calls (memory per open stream).
  #open: Map<number | string, OpenCall> | undefined;

  start(key: number | string, id: string, name: string, emit: ChunkEventSink): void {
    (this.#open ??= new Map()).set(key, { id, name, fragments: [] });
    emit({ type: 'tool-call-start', id, name });
  }

  /** A raw input fragment of the call under `key` (ignored when no call is open there, or when empty). */
  delta(key: number | string, fragment: string, emit: ChunkEventSink): void {
    const call = this.#open?.get(key);
    if (call === undefined || fragment === '') return;
    call.fragments.push(fragment);
    emit({ type: 'tool-call-delta', id: call.id, inputDelta: fragment });
  }

  /** Ends the call under `key`: its fragments joined and parsed. Throws ToolInputError when they are not JSON. */
  finish(key: number | string, emit: ChunkEventSink): void {
    const call = this.#open?.get(key);
    if (call === undefined) return;
    this.#open!.delete(key);
    emit({ type: 'tool-call', id: call.id, name: call.name, input: parseToolInput(call) });
  }

  /** Ends every open call, in the order they started (an OpenAI-style finish reason ends them all). */
  finishAll(emit: ChunkEventSink): void {
    if (this.#open === undefined || this.#open.size === 0) return;
    for (const key of [...this.#open.keys()]) this.finish(key, emit);
  }
}

/** A tool call's input joined and parsed; no fragments at all means no arguments (`{}`). */
export function parseToolInput(call: { id: string; name: string; fragments: readonly string[] }): unknown {
  const text = call.fragments.join('');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ToolInputError({ id: call.id, name: call.name, inputFragments: call.fragments }, { cause: error });
  }
}

/**
 * A complete tool call (non-streaming responses, families that send a call whole): the same three
 * events a streamed one gives, the input as one fragment.
 */
export function emitWholeToolCall(call: { id: string; name: string; input: unknown }, emit: ChunkEventSink): void {
  emit({ type: 'tool-call-start', id: call.id, name: call.name });
  const inputText = typeof call.input === 'string' ? call.input : JSON.stringify(call.input ?? {});
  if (inputText !== '') emit({ type: 'tool-call-delta', id: call.id, inputDelta: inputText });
  const input =
    typeof call.input === 'string' ? parseToolInput({ ...call, fragments: [call.input] }) : (call.input ?? {});
  emit({ type: 'tool-call', id: call.id, name: call.name, input });
}
