import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCallSpan } from '../../src/client/telemetry.js';
import { StreamState } from '../../src/client/stream-state.js';
import { ThrottlingError } from '../../src/errors.js';

const request = { messages: [{ role: 'user', content: 'Hi' }] as const, maxTokens: 64, temperature: 0.3 };

describe('telemetry', () => {
  it('does nothing while no tracer provider is registered', async () => {
    expect(await startCallSpan('chat', 'm', request, true)).toBeUndefined();
  });

  describe('with a registered provider', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    beforeAll(() => trace.setGlobalTracerProvider(provider));
    afterAll(() => trace.disable());

    it('records a GenAI span with request, usage and finish reason', async () => {
      const span = await startCallSpan('chat', 'anthropic.claude-3-haiku-20240307-v1:0', request, true);
      expect(span).toBeDefined();
      const state = new StreamState(3);
      state.attempts = 1;
      state.apply({ type: 'text', delta: 'Hello' });
      state.apply({ type: 'usage', inputTokens: 3, outputTokens: 2, source: 'bedrock' });
      state.apply({ type: 'stop', reason: 'end_turn', rawReason: 'end_turn' });
      span!.end(state.result('anthropic.claude-3-haiku-20240307-v1:0'));
      const [recorded] = exporter.getFinishedSpans();
      expect(recorded?.name).toBe('chat anthropic.claude-3-haiku-20240307-v1:0');
      expect(recorded?.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.system': 'aws.bedrock',
        'gen_ai.request.model': 'anthropic.claude-3-haiku-20240307-v1:0',
        'gen_ai.request.max_tokens': 64,
        'gen_ai.request.temperature': 0.3,
        'gen_ai.usage.input_tokens': 3,
        'gen_ai.usage.output_tokens': 2,
        'gen_ai.response.finish_reasons': ['end_turn'],
      });
    });

    it('marks a failed call as an error', async () => {
      exporter.reset();
      const span = await startCallSpan('chat', 'm', request, false);
      span!.fail(new ThrottlingError('slow down'), 3);
      const [recorded] = exporter.getFinishedSpans();
      expect(recorded?.status.code).toBe(2);
      expect(recorded?.attributes['error.type']).toBe('ThrottlingError');
      expect(recorded?.attributes['aws_bedrock_inference.attempts']).toBe(3);
    });
  });
});
