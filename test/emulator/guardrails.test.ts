/**
 * Guardrails through the real AWS SDK: a blocked word in the input answers with the blocked-input message
 * before any text; a blocked word in the output ends the answer with the blocked-output message, withholding
 * the offending text in sync mode and after sending it in async mode; the verdict and trace in the closing
 * chunk (InvokeModel*) or stop reason and metadata (Converse); Bedrock's errors for bad guardrail requests;
 * the admin API.
 */
import {
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  type InvokeModelWithResponseStreamCommandInput,
} from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { CLAUDE, claudeBody, rejection, runEmulatorCommand, useEmulator, type Json } from './support.js';

const NOVA = 'us.amazon.nova-lite-v1:0';
const INPUT_MESSAGE = 'Blocked: your question mentions a forbidden topic.';
const OUTPUT_MESSAGE = 'Blocked: the answer touched a forbidden topic.';
const SCRIPTED = 'The first part is fine. Then comes the password itself and more words after it.';

const rig = useEmulator({
  guardrails: [
    {
      id: 'gr1',
      version: '1',
      blockedWords: ['password'],
      blockedInputMessaging: INPUT_MESSAGE,
      blockedOutputsMessaging: OUTPUT_MESSAGE,
    },
  ],
  scripts: [{ match: { prompt: 'tell me everything' }, answer: { text: SCRIPTED } }],
});

async function claudeStream(input: Partial<InvokeModelWithResponseStreamCommandInput> & { body: string }) {
  const response = await rig.client.send(
    new InvokeModelWithResponseStreamCommand({ modelId: CLAUDE, contentType: 'application/json', ...input }),
  );
  const chunks: Json[] = [];
  for await (const event of response.body!) {
    if (event.chunk?.bytes) chunks.push(JSON.parse(Buffer.from(event.chunk.bytes).toString('utf8')) as Json);
  }
  const text = chunks
    .filter((c) => c.type === 'content_block_delta' && c.delta.type === 'text_delta')
    .map((c) => c.delta.text)
    .join('');
  return { chunks, text, last: chunks.at(-1)! };
}

const guard = { guardrailIdentifier: 'gr1', guardrailVersion: '1' };

describe('InvokeModelWithResponseStream', () => {
  it('answers a blocked input with the blocked-input message, action INTERVENED and the input trace', async () => {
    const { text, last, chunks } = await claudeStream({
      ...guard,
      trace: 'ENABLED',
      body: claudeBody('What is the admin password?'),
    });
    expect(text).toBe(INPUT_MESSAGE);
    expect(last['amazon-bedrock-guardrailAction']).toBe('INTERVENED');
    expect(last['amazon-bedrock-trace'].guardrail.input.gr1.wordPolicy.customWords[0]).toMatchObject({
      match: 'password',
      action: 'BLOCKED',
    });
    expect(chunks.find((c) => c.type === 'message_delta')!.delta.stop_reason).toBe('end_turn');
    expect(rig.emu.requestLog.entries().at(-1)!.guardrail).toMatchObject({
      id: 'gr1',
      action: 'INTERVENED',
      blocked: { phase: 'input' },
    });
  });

  it('sync mode: delivers the text before the blocked word, then the blocked-output message', async () => {
    const { text, last } = await claudeStream({ ...guard, body: claudeBody('Please tell me everything.') });
    expect(text.startsWith('The first part is fine. Then comes the')).toBe(true);
    expect(text).not.toContain('password');
    expect(text.endsWith(OUTPUT_MESSAGE)).toBe(true);
    expect(last['amazon-bedrock-guardrailAction']).toBe('INTERVENED');
    expect(last['amazon-bedrock-trace']).toBeUndefined();
  });

  it('async mode (body amazon-bedrock-guardrailConfig): the offending chunk goes out, the intervention follows', async () => {
    const body = JSON.stringify({
      ...JSON.parse(claudeBody('Please tell me everything.')),
      'amazon-bedrock-guardrailConfig': { streamProcessingMode: 'ASYNCHRONOUS' },
    });
    const { text, last } = await claudeStream({ ...guard, trace: 'ENABLED', body });
    expect(text).toContain('the password');
    expect(text).not.toContain('more words after it');
    expect(text.endsWith(OUTPUT_MESSAGE)).toBe(true);
    expect(last['amazon-bedrock-guardrailAction']).toBe('INTERVENED');
    expect(last['amazon-bedrock-trace'].guardrail.outputs[0].gr1.wordPolicy.customWords[0].match).toBe('password');
  });

  it('reports NONE when the guardrail lets the answer through', async () => {
    const { last } = await claudeStream({ ...guard, body: claudeBody('Say hello.') });
    expect(last['amazon-bedrock-guardrailAction']).toBe('NONE');
  });

  it('rejects an identifier without a version, an unknown guardrail, and a body config without the header', async () => {
    const noVersion = await rejection(claudeStream({ guardrailIdentifier: 'gr1', body: claudeBody('hi') }));
    expect(noVersion.name).toBe('ValidationException');
    const unknown = await rejection(
      claudeStream({ guardrailIdentifier: 'nope', guardrailVersion: '1', body: claudeBody('hi') }),
    );
    expect(unknown.name).toBe('ResourceNotFoundException');
    const body = JSON.stringify({ ...JSON.parse(claudeBody('hi')), 'amazon-bedrock-guardrailConfig': {} });
    const bodyOnly = await rejection(claudeStream({ body }));
    expect(bodyOnly.name).toBe('ValidationException');
  });
});

describe('InvokeModel', () => {
  it('puts the action in the response body', async () => {
    const response = await rig.client.send(
      new InvokeModelCommand({
        modelId: CLAUDE,
        contentType: 'application/json',
        ...guard,
        body: claudeBody('password?'),
      }),
    );
    const body = JSON.parse(Buffer.from(response.body).toString('utf8')) as Json;
    expect(body['amazon-bedrock-guardrailAction']).toBe('INTERVENED');
    expect(body.content[0].text).toBe(INPUT_MESSAGE);
  });
});

describe('Converse', () => {
  it('stream: stopReason guardrail_intervened with metadata.trace.guardrail when trace is enabled', async () => {
    const response = await rig.client.send(
      new ConverseStreamCommand({
        modelId: NOVA,
        messages: [{ role: 'user', content: [{ text: 'Please tell me everything.' }] }],
        guardrailConfig: { ...guard, trace: 'enabled', streamProcessingMode: 'sync' },
      }),
    );
    let text = '';
    let stopReason: string | undefined;
    let trace: Json | undefined;
    for await (const event of response.stream!) {
      text += event.contentBlockDelta?.delta?.text ?? '';
      if (event.messageStop) stopReason = event.messageStop.stopReason;
      if (event.metadata) trace = event.metadata.trace as Json;
    }
    expect(text).not.toContain('password');
    expect(text.endsWith(OUTPUT_MESSAGE)).toBe(true);
    expect(stopReason).toBe('guardrail_intervened');
    expect(trace!.guardrail.outputAssessments.gr1[0].wordPolicy.customWords[0].action).toBe('BLOCKED');
  });

  it('whole: a blocked input is the answer, and a config without version is rejected', async () => {
    const answer = await rig.client.send(
      new ConverseCommand({
        modelId: CLAUDE,
        messages: [{ role: 'user', content: [{ text: 'password please' }] }],
        guardrailConfig: { ...guard, trace: 'enabled' },
      }),
    );
    expect(answer.stopReason).toBe('guardrail_intervened');
    expect(answer.output?.message?.content?.[0]?.text).toBe(INPUT_MESSAGE);
    expect((answer.trace?.guardrail?.inputAssessment as Json).gr1.wordPolicy.customWords[0].match).toBe('password');
    const error = await rejection(
      rig.client.send(
        new ConverseCommand({
          modelId: CLAUDE,
          messages: [{ role: 'user', content: [{ text: 'hi' }] }],
          guardrailConfig: { guardrailIdentifier: 'gr1' } as never,
        }),
      ),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('guardrailConfig.guardrailVersion');
  });
});

describe('admin API', () => {
  it('POST /_emulator/guardrails adds one, GET lists, DELETE clears', async () => {
    const added = await fetch(`${rig.emu.url}/_emulator/guardrails`, {
      method: 'POST',
      body: JSON.stringify({ id: 'gr2', version: 'DRAFT', blockedWords: ['banana'] }),
    });
    expect(added.status).toBe(201);
    const { text } = await claudeStream({
      guardrailIdentifier: 'gr2',
      guardrailVersion: 'DRAFT',
      body: claudeBody('I like banana bread'),
    });
    expect(text).toBe('Sorry, the model cannot answer this question.');
    const bad = await fetch(`${rig.emu.url}/_emulator/guardrails`, { method: 'POST', body: '{"id":"x"}' });
    expect(bad.status).toBe(400);
    const listed = (await (await fetch(`${rig.emu.url}/_emulator/guardrails`)).json()) as Json;
    expect(listed.guardrails.map((g: Json) => g.id)).toEqual(['gr1', 'gr2']);
  });
});

describe('bedrock-inference emulator --guardrail', () => {
  it('starts with the guardrails given on the command line, and refuses a bad one', async () => {
    const run = runEmulatorCommand([
      '--port',
      '0',
      '--speed',
      'instant',
      '--guardrail',
      '{"id":"cli1","blockedWords":["x"]}',
    ]);
    try {
      const url = await run.url;
      const listed = (await (await fetch(`${url}/_emulator/guardrails`)).json()) as Json;
      expect(listed.guardrails).toEqual([
        expect.objectContaining({ id: 'cli1', version: 'DRAFT', blockedWords: ['x'] }),
      ]);
    } finally {
      run.stop();
      await run.exited;
    }
    const bad = runEmulatorCommand(['--port', '0', '--guardrail', '{"id":"cli1"}']);
    expect(await bad.exited).not.toBe(0);
    expect(bad.output()).toContain('--guardrail: blockedWords');
  }, 20_000);
});
