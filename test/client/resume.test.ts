import { describe, expect, it } from 'vitest';
import { AbortError, ServiceError, StreamInterruptedError, TimeoutError, ValidationError } from '../../src/errors.js';
import { continuationRequest, isResumable, resolveResumePolicy, Stitcher } from '../../src/client/resume.js';
import { StreamState } from '../../src/client/stream-state.js';
import { resolveAdapter } from '../../src/models/registry.js';

describe('resume', () => {
  it('resolves the policy from client and request options', () => {
    expect(resolveResumePolicy(undefined)).toEqual({ enabled: false, maxResumes: 2 });
    expect(resolveResumePolicy(true)).toEqual({ enabled: true, maxResumes: 2 });
    expect(resolveResumePolicy(true, { maxResumes: 5 })).toEqual({ enabled: true, maxResumes: 5 });
    expect(resolveResumePolicy({ maxResumes: 1 }, false)).toEqual({ enabled: false, maxResumes: 1 });
  });

  it('resumes repairable breaks only', () => {
    expect(isResumable(new StreamInterruptedError('x'))).toBe(true);
    expect(isResumable(new ServiceError('x', { retryable: true }))).toBe(true);
    expect(isResumable(new ValidationError('x'))).toBe(false);
    expect(isResumable(new AbortError('x', { retryable: true }))).toBe(false);
    expect(isResumable(new TimeoutError('betweenChunks', 'x'))).toBe(true);
    expect(isResumable(new TimeoutError('total', 'x'))).toBe(false);
  });

  it('prefills the partial answer without trailing whitespace and shrinks the budget', () => {
    const original = { messages: [{ role: 'user', content: 'Hi' }] as const, maxTokens: 100, temperature: 0.2 };
    const { request, stitcher } = continuationRequest(original, { text: 'Hello there, ', reasoning: '' }, 7);
    expect(request).toEqual({
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello there,' },
      ],
      maxTokens: 93,
      temperature: 0.2,
    });
    expect(stitcher.take(' friend')).toBe('friend');
    expect(original.messages).toHaveLength(1);
  });

  it('joins a caller prefill with the partial answer', () => {
    const original = {
      messages: [
        { role: 'user', content: 'List' },
        { role: 'assistant', content: '1.' },
      ] as const,
      maxTokens: 5,
    };
    const { request } = continuationRequest(original, { text: ' apples', reasoning: '' }, 10);
    expect(request.messages).toEqual([
      { role: 'user', content: 'List' },
      { role: 'assistant', content: '1. apples' },
    ]);
    expect(request.maxTokens).toBe(1);
  });

  it('for a prompt family (DeepSeek R1), keeps the messages and passes the reasoning and partial answer', () => {
    const original = {
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'Tell me more' },
      ] as const,
      maxTokens: 100,
    };
    const partial = { text: 'More, then. \n', reasoning: 'They want more.\n' };
    const { request, stitcher } = continuationRequest(original, partial, 30, 'prompt');
    expect(request).toEqual({
      ...original,
      maxTokens: 70,
      continues: { reasoning: 'They want more.\n', text: 'More, then.' },
    });
    expect(stitcher.take(' \nAnd')).toBe('And');

    const adapter = resolveAdapter('us.deepseek.r1-v1:0');
    expect(adapter.continuation).toBe('prompt');
    expect(adapter.buildRequest(request).prompt).toBe(
      '<｜begin▁of▁sentence｜><｜User｜>Hi<｜Assistant｜>Hello.<｜end▁of▁sentence｜><｜User｜>Tell me more' +
        '<｜Assistant｜><think>\nThey want more.\n</think>\n\nMore, then.',
    );
    // The continuation's stream is all answer, even text that looks like a reasoning tag.
    const events: unknown[] = [];
    const decode = adapter.createChunkDecoder(request);
    decode({ choices: [{ text: ' <think>\nfine', stop_reason: null }] }, (event) => events.push(event));
    decode({ choices: [{ text: '', stop_reason: 'stop' }] }, (event) => events.push(event));
    expect(events).toEqual([
      { type: 'text', delta: ' <think>\nfine' },
      expect.objectContaining({ type: 'stop', reason: 'end_turn' }),
    ]);
    // A fresh request still starts inside the reasoning.
    const fresh: unknown[] = [];
    adapter.createChunkDecoder(original)({ choices: [{ text: 'Hmm.', stop_reason: null }] }, (e) => fresh.push(e));
    expect(fresh).toEqual([{ type: 'reasoning', delta: 'Hmm.' }]);
  });

  it('stitches overlap split across deltas and stops at the first difference', () => {
    const stitcher = new Stitcher('\n\n');
    expect(stitcher.take('\n')).toBe('');
    expect(stitcher.take('\nNext')).toBe('Next');
    expect(stitcher.take(' more')).toBe(' more');
    const mismatch = new Stitcher(' ');
    expect(mismatch.take('word')).toBe('word');
    expect(mismatch.take(' x')).toBe(' x');
  });
});

describe('StreamState usage across a resume', () => {
  it('adds the interrupted attempt and marks the total estimated', () => {
    const state = new StreamState(10);
    state.apply({ type: 'text', delta: 'Hello there, ' });
    state.apply({ type: 'usage', inputTokens: 12, outputTokens: 0, source: 'bedrock' });
    state.carryOver();
    state.apply({ type: 'text', delta: 'friend.' });
    state.apply({ type: 'usage', inputTokens: 20, outputTokens: 3, source: 'bedrock' });
    const result = state.result('m');
    expect(result.text).toBe('Hello there, friend.');
    expect(result.usage).toEqual({ inputTokens: 20, outputTokens: 4 + 3, source: 'estimated' });

    const reported = new StreamState(10);
    reported.apply({ type: 'usage', inputTokens: 5, outputTokens: 7, source: 'bedrock' });
    expect(reported.result('m').usage).toEqual({ inputTokens: 5, outputTokens: 7, source: 'bedrock' });
    const estimated = new StreamState(10);
    estimated.apply({ type: 'usage', inputTokens: 5, outputTokens: 7, source: 'estimated' });
    expect(estimated.result('m').usage.source).toBe('estimated');
  });
});
