/**
 * The books are keyed by what Bedrock meters: a plain id and its foundation-model ARN are one on-demand
 * quota, a system profile id and its ARN are that profile's cross-Region quota, an application profile
 * is what the user maps it to. Output burndown follows Bedrock's page: 5 for Claude 3.7 Sonnet and
 * Claude 4 and later, on the client and in the emulator alike.
 */
import { describe, expect, it } from 'vitest';
import { defaultBurndown } from '../../src/emulator/quota.js';
import { bedrockBurndown } from '../../src/quota/burndown.js';
import { resolveQuotaKey } from '../../src/quota/quota-key.js';

const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';

describe('resolveQuotaKey', () => {
  it('books a plain id and its foundation-model ARN as one on-demand quota', () => {
    expect(resolveQuotaKey(HAIKU)).toBe(`on-demand/${HAIKU}`);
    expect(resolveQuotaKey(`arn:aws:bedrock:us-east-1::foundation-model/${HAIKU}`)).toBe(`on-demand/${HAIKU}`);
  });

  it('books a system profile and its ARN as that profile’s own cross-Region quota', () => {
    expect(resolveQuotaKey(`us.${HAIKU}`)).toBe(`us/${HAIKU}`);
    expect(resolveQuotaKey(`arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.${HAIKU}`)).toBe(`us/${HAIKU}`);
    expect(resolveQuotaKey(`global.${HAIKU}`)).toBe(`global/${HAIKU}`);
  });

  it('books an application profile as what the user maps it to, or as itself', () => {
    const app = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123';
    expect(resolveQuotaKey(app)).toBe(`opaque/${app}`);
    expect(resolveQuotaKey(app, { profiles: { [app]: `us.${HAIKU}` } })).toBe(`us/${HAIKU}`);
  });
});

describe('output burndown', () => {
  const five = [
    'anthropic.claude-3-7-sonnet-20250219-v1:0',
    'anthropic.claude-sonnet-4-20250514-v1:0',
    'anthropic.claude-opus-4-1-20250805-v1:0',
    'anthropic.claude-haiku-4-5-20251001-v1:0',
    'anthropic.claude-sonnet-4-6',
  ];
  const one = [
    HAIKU,
    'anthropic.claude-3-5-sonnet-20240620-v1:0',
    'meta.llama3-8b-instruct-v1:0',
    'amazon.nova-pro-v1:0',
  ];

  it('is 5 for Claude 3.7 Sonnet and Claude 4 and later, 1 otherwise, on both sides of the wire', () => {
    for (const id of five) {
      expect([id, bedrockBurndown(id), defaultBurndown(id)]).toEqual([id, 5, 5]);
      expect(bedrockBurndown(`us.${id}`)).toBe(5);
    }
    for (const id of one) expect([id, bedrockBurndown(id), defaultBurndown(id)]).toEqual([id, 1, 1]);
  });
});
