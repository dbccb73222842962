import { describe, expect, it } from 'vitest';
import type { ChunkEvent } from '../../src/client/stream-event.js';
import { createReasoningTagSplitter } from '../../src/models/reasoning-tags.js';

function run(pieces: readonly string[], startInside: boolean, open = '<think>', close = '</think>') {
  const splitter = createReasoningTagSplitter(open, close, startInside);
  const events: ChunkEvent[] = [];
  for (const piece of pieces) splitter.push(piece, (e) => events.push(e));
  splitter.flush((e) => events.push(e));
  let text = '';
  let reasoning = '';
  for (const e of events) {
    if (e.type === 'text') text += e.delta;
    if (e.type === 'reasoning') reasoning += e.delta;
  }
  return { text, reasoning };
}

describe('createReasoningTagSplitter', () => {
  const whole = 'I think.\n</think>\n\nAnswer <b>bold</b> here.';

  it('splits reasoning from the answer for every split of the stream into two pieces', () => {
    for (let cut = 0; cut <= whole.length; cut++) {
      expect(run([whole.slice(0, cut), whole.slice(cut)], true)).toEqual({
        text: 'Answer <b>bold</b> here.',
        reasoning: 'I think.\n',
      });
    }
  });

  it('recognises an opening tag only before any answer text', () => {
    const stream = '\n<reasoning>Plan</reasoning>Hi <reasoning>not a tag</reasoning>';
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(run([stream.slice(0, cut), stream.slice(cut)], false, '<reasoning>', '</reasoning>')).toEqual({
        text: 'Hi <reasoning>not a tag</reasoning>',
        reasoning: 'Plan',
      });
    }
  });

  it('passes plain answers through and keeps a trailing partial tag', () => {
    expect(run(['Hello', ' world <', 're'], false, '<reasoning>', '</reasoning>')).toEqual({
      text: 'Hello world <re',
      reasoning: '',
    });
    expect(run(['still thinking </thi'], true)).toEqual({ text: '', reasoning: 'still thinking </thi' });
  });

  it('drops an echoed opening tag when the stream starts inside the reasoning', () => {
    const stream = '<think>\nHmm.</think>\n\nYes.';
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(run([stream.slice(0, cut), stream.slice(cut)], true)).toEqual({ text: 'Yes.', reasoning: '\nHmm.' });
    }
  });
});
