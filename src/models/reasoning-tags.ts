/**
 * Splits a text stream whose reasoning is wrapped in tags (`…</think>` for DeepSeek R1, `<reasoning>…</reasoning>`
 * for gpt-oss) into reasoning and text events. Tags may be split across chunks, so a possible tag prefix at the
 * end of a chunk is held back until the next chunk decides it. An opening tag only counts before any answer
 * text, so an answer that talks about tags is left alone.
 */
import type { ChunkEventSink } from './types.js';

export interface ReasoningTagSplitter {
  push(text: string, emit: ChunkEventSink): void;
  /** Emits whatever is held back (call on the stop chunk). */
  flush(emit: ChunkEventSink): void;
}

export function createReasoningTagSplitter(open: string, close: string, startInside: boolean): ReasoningTagSplitter {
  let inside = startInside;
  let sawText = false;
  let afterReasoning = false; // drop the blank lines between `</think>` and the answer
  let carry = '';
  let fresh = startInside;

  function out(segment: string, emit: ChunkEventSink): void {
    if (segment.length === 0) return;
    if (inside) {
      emit({ type: 'reasoning', delta: segment });
      return;
    }
    if (afterReasoning) {
      segment = segment.replace(/^\s+/, '');
      if (segment.length === 0) return;
      afterReasoning = false;
    }
    if (!sawText && segment.trim().length > 0) sawText = true;
    emit({ type: 'text', delta: segment });
  }

  /** Length of the longest suffix of `s` that is a proper prefix of `tag`. */
  function pendingPrefix(s: string, tag: string): number {
    const from = Math.max(0, s.length - tag.length + 1);
    for (let i = s.indexOf('<', from); i !== -1; i = s.indexOf('<', i + 1)) {
      if (tag.startsWith(s.slice(i))) return s.length - i;
    }
    return 0;
  }

  return {
    push(text, emit) {
      let s = carry.length === 0 ? text : carry + text;
      carry = '';
      if (fresh) {
        // Starting inside, the model may still echo the opening tag: drop it (wait while it may be one).
        const trimmed = s.trimStart();
        if (trimmed.length < open.length && open.startsWith(trimmed)) {
          carry = s;
          return;
        }
        fresh = false;
        if (trimmed.startsWith(open)) s = trimmed.slice(open.length);
      }
      for (;;) {
        const tag = inside ? close : sawText ? undefined : open;
        if (tag === undefined) break;
        const at = s.indexOf(tag);
        if (at === -1) {
          const keep = pendingPrefix(s, tag);
          if (keep > 0) {
            carry = s.slice(s.length - keep);
            s = s.slice(0, s.length - keep);
          }
          // Before any text, leading whitespace may still precede an opening tag: hold it too.
          if (!inside && s.trim().length === 0) {
            carry = s + carry;
            s = '';
          }
          break;
        }
        if (!inside && s.slice(0, at).trim().length > 0) break; // text came first: not a reasoning block
        if (inside) out(s.slice(0, at), emit);
        s = s.slice(at + tag.length);
        inside = !inside;
        if (!inside) afterReasoning = true;
      }
      out(s, emit);
    },
    flush(emit) {
      const rest = carry;
      carry = '';
      out(rest, emit);
    },
  };
}
