import { describe, expect, it } from 'vitest';
import { listModels, resolveModel } from '../../../src/emulator/model-catalog.js';
import { errorOf } from './run-family.js';

describe('model catalog', () => {
  it('resolves plain ids to their family', () => {
    const model = resolveModel('anthropic.claude-3-haiku-20240307-v1:0');
    expect(model).toMatchObject({
      modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
      baseModelId: 'anthropic.claude-3-haiku-20240307-v1:0',
      family: 'anthropic-messages',
      viaProfile: false,
    });
    expect(model.handler.family).toBe('anthropic-messages');
    expect(resolveModel('amazon.titan-text-express-v1').family).toBe('titan-text');
    expect(resolveModel('meta.llama3-8b-instruct-v1:0').family).toBe('llama');
    expect(resolveModel('mistral.mistral-7b-instruct-v0:2').family).toBe('mistral-text');
    expect(resolveModel('mistral.mistral-large-2407-v1:0').family).toBe('mistral-chat');
    expect(resolveModel('cohere.command-r-plus-v1:0').family).toBe('cohere-r');
    expect(resolveModel('cohere.command-light-text-v14').family).toBe('cohere-command');
    expect(resolveModel('ai21.jamba-1-5-mini-v1:0').family).toBe('ai21-jamba');
    expect(resolveModel('openai.gpt-oss-120b-1:0').family).toBe('openai-gpt-oss');
    expect(resolveModel('anthropic.claude-v2:1').family).toBe('anthropic-text');
  });

  it('resolves geo inference-profile ids', () => {
    for (const geo of ['us', 'eu', 'apac', 'jp', 'au', 'us-gov', 'global']) {
      const model = resolveModel(`${geo}.anthropic.claude-sonnet-4-5-20250929-v1:0`);
      expect(model.baseModelId).toBe('anthropic.claude-sonnet-4-5-20250929-v1:0');
      expect(model.viaProfile).toBe(true);
    }
    expect(resolveModel('eu.anthropic.claude-sonnet-4-6').family).toBe('anthropic-messages');
    expect(resolveModel('us.amazon.nova-lite-v1:0').family).toBe('nova');
    expect(resolveModel('us.deepseek.r1-v1:0').family).toBe('deepseek-r1');
    expect(resolveModel('us.meta.llama3-3-70b-instruct-v1:0').family).toBe('llama');
  });

  it('resolves foundation-model and inference-profile ARNs', () => {
    const fm = resolveModel('arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0');
    expect(fm).toMatchObject({ baseModelId: 'anthropic.claude-3-5-haiku-20241022-v1:0', viaProfile: false });
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0';
    expect(resolveModel(arn)).toMatchObject({
      modelId: arn,
      baseModelId: 'anthropic.claude-3-5-haiku-20241022-v1:0',
      viaProfile: true,
    });
  });

  it('works on the decoded form the HTTP layer passes (encodeURIComponent round trip)', () => {
    const arn = 'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-pro-v1:0';
    expect(resolveModel(decodeURIComponent(encodeURIComponent(arn))).family).toBe('nova');
  });

  it('refuses opaque ARNs with a clear error', () => {
    const error = errorOf(() =>
      resolveModel('arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123def456'),
    );
    expect(error.errorType).toBe('ResourceNotFoundException');
    expect(error.message).toContain('application-inference-profile');
  });

  it('answers unknown models with ValidationException "The provided model identifier is invalid."', () => {
    for (const id of ['nope.model-v1', 'anthropic.claude-9', 'us.amazon.titan-text-express-v1', 'arn:aws:nonsense']) {
      expect(errorOf(() => resolveModel(id))).toEqual({
        errorType: 'ValidationException',
        message: 'The provided model identifier is invalid.',
        status: 400,
      });
    }
  });

  it('requires an inference profile for profile-only models', () => {
    for (const id of [
      'anthropic.claude-sonnet-4-5-20250929-v1:0',
      'amazon.nova-lite-v1:0',
      'deepseek.r1-v1:0',
      'meta.llama3-2-11b-instruct-v1:0',
    ]) {
      const error = errorOf(() => resolveModel(id));
      expect(error.status).toBe(400);
      expect(error.message).toBe(
        `Invocation of model ID ${id} with on-demand throughput isn’t supported. Retry your request with the ID or ARN of an inference profile that contains this model.`,
      );
    }
  });

  it('lists every model once with streaming and profile flags', () => {
    const models = listModels();
    expect(new Set(models.map((m) => m.modelId)).size).toBe(models.length);
    expect(new Set(models.map((m) => m.family)).size).toBe(12);
    expect(models.find((m) => m.modelId === 'ai21.j2-ultra-v1')).toMatchObject({ streaming: false });
    expect(models.find((m) => m.modelId === 'deepseek.r1-v1:0')).toMatchObject({ requiresProfile: true });
    expect(models.find((m) => m.modelId === 'anthropic.claude-3-haiku-20240307-v1:0')).toMatchObject({
      streaming: true,
      requiresProfile: false,
    });
  });
});
