import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { detectFamily, listSupportedFamilies, resolveAdapter } from '../../src/models/registry.js';

describe('model registry (bedrock-wire.md §7)', () => {
  it.each([
    ['anthropic.claude-3-haiku-20240307-v1:0', 'anthropic'],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic'],
    ['eu.anthropic.claude-sonnet-4-6', 'anthropic'],
    ['global.anthropic.claude-opus-4-1-20250805-v1:0', 'anthropic'],
    ['anthropic.claude-v2:1', 'anthropic-text'],
    ['anthropic.claude-instant-v1', 'anthropic-text'],
    ['amazon.titan-text-express-v1', 'titan'],
    ['amazon.titan-text-premier-v1:0', 'titan'],
    ['us.amazon.nova-pro-v1:0', 'nova'],
    ['amazon.nova-2-lite-v1:0', 'nova'],
    ['meta.llama3-8b-instruct-v1:0', 'llama'],
    ['us.meta.llama3-3-70b-instruct-v1:0', 'llama'],
    ['mistral.mistral-7b-instruct-v0:2', 'mistral'],
    ['mistral.mixtral-8x7b-instruct-v0:1', 'mistral'],
    ['mistral.mistral-large-2402-v1:0', 'mistral'],
    ['mistral.mistral-large-2407-v1:0', 'mistral-chat'],
    ['us.mistral.pixtral-large-2502-v1:0', 'mistral-chat'],
    ['cohere.command-r-plus-v1:0', 'cohere'],
    ['cohere.command-text-v14', 'cohere-command'],
    ['cohere.command-light-text-v14', 'cohere-command'],
    ['ai21.jamba-1-5-mini-v1:0', 'ai21'],
    ['us.deepseek.r1-v1:0', 'deepseek'],
    ['openai.gpt-oss-20b-1:0', 'openai'],
    ['apac.amazon.nova-lite-v1:0', 'nova'],
    ['us-gov.anthropic.claude-3-5-sonnet-20240620-v1:0', 'anthropic'],
  ])('%s → %s', (modelId, family) => {
    expect(detectFamily(modelId)).toBe(family);
    expect(resolveAdapter(modelId).family).toBe(family);
  });

  it.each([
    ['arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0', 'anthropic'],
    [
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0',
      'anthropic',
    ],
    ['arn:aws:bedrock:us-east-1:123456789012:custom-model/meta.llama3-8b-instruct-v1:0/abc123', 'llama'],
    ['arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/amazon.titan-text-lite-v1', 'titan'],
  ])('ARN %s → %s', (modelId, family) => {
    expect(resolveAdapter(modelId).family).toBe(family);
  });

  it('needs an explicit family for opaque ARNs, and then uses it', () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3';
    expect(detectFamily(arn)).toBeUndefined();
    expect(() => resolveAdapter(arn)).toThrow(/does not say which model family.*Pass `family`/);
    expect(resolveAdapter(arn, 'nova').family).toBe('nova');
    expect(resolveAdapter('arn:aws:bedrock:us-east-1:123456789012:provisioned-model/xyz', 'llama').family).toBe(
      'llama',
    );
  });

  it('rejects unknown ids with a ValidationError listing the families and suggesting converse', () => {
    for (const id of ['amazon.titan-embed-text-v2:0', 'amazon.nova-canvas-v1:0', 'qwen.qwen3-32b-v1:0', 'nonsense']) {
      let error: unknown;
      try {
        resolveAdapter(id);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toContain(listSupportedFamilies().join(', '));
      expect((error as Error).message).toContain("api: 'converse'");
    }
  });

  it('rejects an unknown explicit family', () => {
    expect(() => resolveAdapter('x', 'gemini' as never)).toThrow(ValidationError);
  });

  it('lists all twelve families, each with its adapter', () => {
    expect(listSupportedFamilies()).toHaveLength(12);
    for (const family of listSupportedFamilies()) expect(resolveAdapter('opaque', family).family).toBe(family);
  });
});
