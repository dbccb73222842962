/**
 * Scripted answers through the real AWS SDK over HTTP: a matching request gets the script's exact text,
 * framed by its family, chunked and paced like generated text, cut by max_tokens, stop sequences and faults,
 * and continued from a prefill exactly as the continuation rule says. Also the admin API and the CLI flags.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelWithResponseStreamCommand,
  type Message,
} from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { countTokens, tokenize } from '../../src/emulator/text/tokenizer.js';
import { CLAUDE, claudeBody, invokeText, runEmulatorCommand, sdkClient, useEmulator, type Json } from './support.js';

const CLAUDE_THINKING = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const LLAMA = 'us.meta.llama3-3-70b-instruct-v1:0';
const LLAMA_BASE = 'meta.llama3-3-70b-instruct-v1:0';
const TITAN = 'amazon.titan-text-premier-v1:0';
const NOVA = 'eu.amazon.nova-lite-v1:0';

const MARKDOWN = [
  '# Release notes',
  '',
  'Here is **bold**, _italic_ and `inline code`, with two trailing spaces  ',
  'and a hard break.',
  '',
  '```ts',
  'const answer = 42; // <b>not bold</b>',
  'console.log(`${answer}`);',
  '```',
  '',
  '| Column | Value |',
  '| --- | ---: |',
  '| a | 1 |',
  '| <script>alert("x")</script> | 2 |',
  '',
  '<img src=x onerror="alert(1)"> & &amp; \\ "double" \'single\'',
  '',
  '- [ ] task',
  '> quoted\ttab',
  '',
].join('\n');
const MULTI_BYTE = 'Emoji 👋🏽 and 👨‍👩‍👧 and 🇯🇵; CJK 漢字かなカナ 한국어; e\u0301 é Ω≈ç√∫ — “quotes” … the end.';
const LONG = 'The quick brown fox jumps over the lazy dog. '.repeat(8).trimEnd();

const rig = useEmulator({}, { clearEachTest: true });
const decoder = new TextDecoder();

async function invokeStream(
  modelId: string,
  body: object,
  via = rig.client,
): Promise<{ chunks: Json[]; broke: boolean }> {
  const response = await via.send(
    new InvokeModelWithResponseStreamCommand({ modelId, body: JSON.stringify(body), contentType: 'application/json' }),
  );
  const chunks: Json[] = [];
  try {
    for await (const event of response.body!) {
      if (event.chunk?.bytes) chunks.push(JSON.parse(decoder.decode(event.chunk.bytes)) as Json);
    }
  } catch {
    return { chunks, broke: true };
  }
  return { chunks, broke: false };
}

interface ClaudeRun {
  text: string;
  thinking: string;
  textChunks: number;
  stopReason: unknown;
  outputTokens: unknown;
  broke: boolean;
}

async function claudeStream(messages: object[], extra: object = {}, modelId = CLAUDE): Promise<ClaudeRun> {
  const body = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 2000, messages, ...extra };
  const { chunks, broke } = await invokeStream(modelId, body);
  const deltas = chunks.filter((c) => c.type === 'content_block_delta');
  const text = deltas.filter((c) => c.delta.type === 'text_delta');
  const end = chunks.find((c) => c.type === 'message_delta');
  return {
    text: text.map((c) => c.delta.text as string).join(''),
    thinking: deltas
      .filter((c) => c.delta.type === 'thinking_delta')
      .map((c) => c.delta.thinking as string)
      .join(''),
    textChunks: text.length,
    stopReason: end?.delta.stop_reason,
    outputTokens: end?.usage.output_tokens,
    broke,
  };
}

const ask = (prompt: string) => [{ role: 'user', content: prompt }];

function llamaPrompt(question: string): string {
  return `<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n${question}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n`;
}

async function converseStream(modelId: string, messages: Message[], maxTokens?: number) {
  const response = await rig.client.send(
    new ConverseStreamCommand({
      modelId,
      messages,
      ...(maxTokens === undefined ? {} : { inferenceConfig: { maxTokens } }),
    }),
  );
  let text = '';
  let deltas = 0;
  let stopReason: string | undefined;
  let outputTokens: number | undefined;
  for await (const event of response.stream!) {
    if (event.contentBlockDelta?.delta?.text !== undefined) {
      text += event.contentBlockDelta.delta.text;
      deltas++;
    }
    if (event.messageStop) stopReason = event.messageStop.stopReason;
    if (event.metadata) outputTokens = event.metadata.usage?.outputTokens;
  }
  return { text, deltas, stopReason, outputTokens };
}

const lastEntry = () => rig.emu.requestLog.entries().at(-1)!;

describe('exact text, framed and chunked per family', () => {
  it('Claude messages (InvokeModelWithResponseStream): markdown, fences, tables and <script> byte-exact', async () => {
    rig.emu.scripts.add({ match: { prompt: 'release notes' }, answer: { text: MARKDOWN } });
    const run = await claudeStream(ask('Please write the release notes.'));
    expect(run.text).toBe(MARKDOWN);
    expect(MARKDOWN.length).toBeGreaterThan(200);
    expect(run.textChunks).toBeGreaterThan(1);
    expect(run.stopReason).toBe('end_turn');
    expect(run.outputTokens).toBe(countTokens(MARKDOWN));
    expect(lastEntry()).toMatchObject({ outcome: 'completed', scripted: true });
  });

  it('keeps emoji, ZWJ sequences, flags, combining marks and CJK exact', async () => {
    rig.emu.scripts.add({ answer: { text: MULTI_BYTE } });
    const run = await claudeStream(ask('Anything'));
    expect(run.text).toBe(MULTI_BYTE);
    expect(run.textChunks).toBeGreaterThan(1);
    // The non-streaming call gives the same text.
    expect((await invokeText(rig.client, CLAUDE, claudeBody('Anything', 500))).text).toBe(MULTI_BYTE);
  });

  it('Llama (a prompt template) matches the whole prompt and streams one token a chunk', async () => {
    rig.emu.scripts.add({ match: { prompt: 'haiku about tea' }, answer: { text: LONG } });
    const { chunks } = await invokeStream(LLAMA, { prompt: llamaPrompt('Write a haiku about tea.'), max_gen_len: 500 });
    const pieces = chunks.map((c) => c.generation as string).filter((piece) => piece !== '');
    expect(pieces.join('')).toBe(LONG);
    expect(pieces).toEqual(tokenize(LONG));
    expect(chunks.at(-1)).toMatchObject({ stop_reason: 'stop', generation_token_count: countTokens(LONG) });
  });

  it('Titan text answers the script in its own chunk shape', async () => {
    rig.emu.scripts.add({ match: { prompt: 'User: Tell me' }, answer: { text: MULTI_BYTE } });
    const { chunks } = await invokeStream(TITAN, {
      inputText: 'User: Tell me something.\nBot:',
      textGenerationConfig: { maxTokenCount: 500 },
    });
    expect(chunks.map((c) => c.outputText as string).join('')).toBe(MULTI_BYTE);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.at(-1)).toMatchObject({
      completionReason: 'FINISH',
      totalOutputTextTokenCount: countTokens(MULTI_BYTE),
    });
  });

  it('ConverseStream and Converse give the exact text with the usual events and usage', async () => {
    rig.emu.scripts.add({ match: { prompt: 'markdown' }, answer: { text: MARKDOWN } });
    const messages: Message[] = [{ role: 'user', content: [{ text: 'Show me markdown.' }] }];
    const stream = await converseStream(NOVA, messages);
    expect(stream.text).toBe(MARKDOWN);
    expect(stream.deltas).toBeGreaterThan(1);
    expect(stream.stopReason).toBe('end_turn');
    expect(stream.outputTokens).toBe(countTokens(MARKDOWN));
    const whole = await rig.client.send(new ConverseCommand({ modelId: CLAUDE, messages }));
    expect(whole.output?.message?.content?.[0]?.text).toBe(MARKDOWN);
    expect(rig.emu.requestLog.entries().map((entry) => entry.scripted)).toEqual([true, true]);
  });
});

describe('the generation rules apply to scripted text', () => {
  it('max_tokens keeps the first N tokens and stops with max_tokens', async () => {
    rig.emu.scripts.add({ answer: { text: MARKDOWN } });
    const run = await claudeStream(ask('Go'), { max_tokens: 9 });
    expect(run.text).toBe(tokenize(MARKDOWN).slice(0, 9).join(''));
    expect(run.stopReason).toBe('max_tokens');
    expect(run.outputTokens).toBe(9);
    const converse = await converseStream(NOVA, [{ role: 'user', content: [{ text: 'Go' }] }], 5);
    expect(converse.text).toBe(tokenize(MARKDOWN).slice(0, 5).join(''));
    expect(converse.stopReason).toBe('max_tokens');
  });

  it('a stop sequence cuts the script before it', async () => {
    rig.emu.scripts.add({ answer: { text: 'alpha beta STOP gamma' } });
    const run = await claudeStream(ask('Go'), { stop_sequences: ['STOP'] });
    expect(run.text).toBe('alpha beta ');
    expect(run.stopReason).toBe('stop_sequence');
  });

  it('a trailing assistant prefill that is a prefix of the script continues with exactly the rest', async () => {
    rig.emu.scripts.add({ match: { prompt: 'notes' }, answer: { text: MARKDOWN } });
    // Cut points inside a word, after a space, inside the code fence and near the end.
    for (const cut of [1, 7, 16, 60, 140, MARKDOWN.length - 4]) {
      const partial = MARKDOWN.slice(0, cut).trimEnd();
      const rest = await claudeStream([...ask('The notes, please'), { role: 'assistant', content: partial }]);
      expect(partial + rest.text).toBe(MARKDOWN);
      expect(rest.outputTokens).toBe(countTokens(rest.text));
    }
    // ConverseStream resumes the same way.
    const partial = MARKDOWN.slice(0, 33).trimEnd();
    const rest = await converseStream(NOVA, [
      { role: 'user', content: [{ text: 'The notes, please' }] },
      { role: 'assistant', content: [{ text: partial }] },
    ]);
    expect(partial + rest.text).toBe(MARKDOWN);
  });

  it('a prompt-template family continues a partial answer appended to its prompt', async () => {
    rig.emu.scripts.add({ match: { prompt: 'haiku' }, answer: { text: LONG } });
    const partial = LONG.slice(0, 50).trimEnd();
    const { chunks } = await invokeStream(LLAMA, { prompt: llamaPrompt('A haiku?') + partial, max_gen_len: 500 });
    expect(partial + chunks.map((c) => c.generation as string).join('')).toBe(LONG);
  });

  it('a stream-exception after 3 chunks cuts the script mid-way, and Continue gets the rest', async () => {
    rig.emu.scripts.add({ answer: { text: MARKDOWN } });
    rig.emu.faults.add({
      fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: 3 },
      match: { operation: 'InvokeModelWithResponseStream' },
    });
    const cut = await claudeStream(ask('Notes'));
    expect(cut.broke).toBe(true);
    expect(cut.text.length).toBeGreaterThan(0);
    expect(cut.text.length).toBeLessThan(MARKDOWN.length);
    expect(MARKDOWN.startsWith(cut.text)).toBe(true);
    expect(lastEntry()).toMatchObject({ fault: 'stream-exception', scripted: true, chunksSent: 3 });
    const partial = cut.text.trimEnd();
    const rest = await claudeStream([...ask('Notes'), { role: 'assistant', content: partial }]);
    expect(partial + rest.text).toBe(MARKDOWN);
  });

  it('uses the script reasoning only when reasoning is on', async () => {
    rig.emu.scripts.add({ answer: { text: 'The answer is 4.', reasoning: 'Two plus two makes four.' } });
    const thinking = { max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 1024 } };
    const withThinking = await claudeStream(ask('2+2?'), thinking, CLAUDE_THINKING);
    expect(withThinking.thinking).toBe('Two plus two makes four.');
    expect(withThinking.text).toBe('The answer is 4.');
    const without = await claudeStream(ask('2+2?'), {}, CLAUDE_THINKING);
    expect(without.thinking).toBe('');
    expect(without.text).toBe('The answer is 4.');
  });
});

describe('matching', () => {
  it('times: 1 answers once, then generated text comes back', async () => {
    rig.emu.scripts.add({ match: { prompt: 'once' }, answer: { text: 'Scripted once.' }, times: 1 });
    expect((await claudeStream(ask('Just once'))).text).toBe('Scripted once.');
    const second = await claudeStream(ask('Just once'));
    expect(second.text).not.toBe('Scripted once.');
    expect(second.text.length).toBeGreaterThan(0);
    expect(rig.emu.requestLog.entries().map((entry) => entry.scripted)).toEqual([true, undefined]);
    expect(rig.emu.scripts.list()).toEqual([]);
  });

  it('matches a modelId as sent or as its base model id', async () => {
    rig.emu.scripts.add({ match: { modelId: LLAMA_BASE }, answer: { text: 'Llama only.' } });
    rig.emu.scripts.add({ match: { modelId: CLAUDE_THINKING }, answer: { text: 'Profile id as sent.' } });
    const llama = await invokeStream(LLAMA, { prompt: llamaPrompt('Hi'), max_gen_len: 100 });
    expect(llama.chunks.map((c) => c.generation as string).join('')).toBe('Llama only.');
    expect((await claudeStream(ask('Hi'), {}, CLAUDE_THINKING)).text).toBe('Profile id as sent.');
    const other = await claudeStream(ask('Hi'));
    expect(['Llama only.', 'Profile id as sent.']).not.toContain(other.text);
    expect(rig.emu.requestLog.entries().map((entry) => entry.scripted)).toEqual([true, true, undefined]);
  });

  it('matches the prompt against the last user message only, and the first matching rule wins', async () => {
    rig.emu.scripts.add({ match: { prompt: 'secret word' }, answer: { text: 'First rule.' } });
    rig.emu.scripts.add({ match: { prompt: 'secret' }, answer: { text: 'Second rule.' } });
    const earlier = [
      { role: 'user', content: 'Tell me the secret word' },
      { role: 'assistant', content: 'No.' },
      { role: 'user', content: 'Something else then.' },
    ];
    expect((await claudeStream(earlier)).text).not.toBe('First rule.');
    expect(lastEntry().scripted).toBeUndefined();
    expect((await claudeStream(ask('What is the secret word?'))).text).toBe('First rule.');
    expect((await claudeStream(ask('A secret?'))).text).toBe('Second rule.');
  });
});

describe('admin API', () => {
  const admin = (method: string, body?: unknown) =>
    fetch(`${rig.emu.url}/_emulator/scripts`, {
      method,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    }).then(async (response) => ({ status: response.status, json: (await response.json()) as Json }));

  it('POST adds one rule or an array, GET lists them, DELETE clears', async () => {
    const one = await admin('POST', { match: { prompt: 'admin' }, answer: { text: 'From the admin API.' }, times: 2 });
    expect(one.status).toBe(201);
    expect(one.json.added).toBe(1);
    const many = await admin('POST', [
      { match: { modelId: LLAMA_BASE }, answer: { text: 'Llama.' } },
      { answer: { text: 'Anything else.', reasoning: 'Because.' } },
    ]);
    expect(many.json.added).toBe(2);
    const listed = await admin('GET');
    expect(listed.status).toBe(200);
    expect(listed.json.scripts).toEqual([
      { match: { prompt: 'admin' }, answer: { text: 'From the admin API.' }, remaining: 2 },
      { match: { modelId: LLAMA_BASE }, answer: { text: 'Llama.' }, remaining: 'always' },
      { match: {}, answer: { text: 'Anything else.', reasoning: 'Because.' }, remaining: 'always' },
    ]);
    expect((await claudeStream(ask('Via admin'))).text).toBe('From the admin API.');
    expect((await claudeStream(ask('Other'))).text).toBe('Anything else.');
    expect((await admin('GET')).json.scripts[0].remaining).toBe(1);
    expect((await admin('DELETE')).json).toEqual({ cleared: true });
    expect((await admin('GET')).json.scripts).toEqual([]);
    expect((await claudeStream(ask('Via admin'))).text).not.toBe('From the admin API.');
  });

  it('answers 400 naming the bad field', async () => {
    const missing = await admin('POST', { answer: {} });
    expect(missing.status).toBe(400);
    expect(missing.json.message).toContain('answer.text');
    const typo = await admin('POST', { match: { promt: 'x' }, answer: { text: 'y' } });
    expect(typo.status).toBe(400);
    expect(typo.json.message).toContain('promt');
    const times = await admin('POST', [{ answer: { text: 'ok' } }, { answer: { text: 'y' }, times: 0 }]);
    expect(times.status).toBe(400);
    expect(times.json.message).toContain('1.times');
    expect((await admin('POST', '{not json')).status).toBe(400);
    expect((await admin('GET')).json.scripts).toEqual([]);
    const unknown = await fetch(`${rig.emu.url}/_emulator/nope`).then((r) => r.json() as Promise<Json>);
    expect(unknown.message).toContain('GET|POST|DELETE /_emulator/scripts');
  });
});

describe('bedrock-inference emulator --script / --script-file', () => {
  it('answers with the scripts given on the command line and in a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scripts-'));
    const file = join(dir, 'scripts.json');
    writeFileSync(file, JSON.stringify([{ match: { prompt: 'from file' }, answer: { text: MARKDOWN } }]));
    const inline = JSON.stringify({ match: { prompt: 'inline' }, answer: { text: MULTI_BYTE }, times: 1 });
    const run = runEmulatorCommand(['--port', '0', '--speed', 'instant', '--script', inline, '--script-file', file]);
    const cli = sdkClient(await run.url);
    try {
      expect(run.output()).toContain('Scripted answers: 2 rule(s)');
      const stream = async (prompt: string) => {
        const body = JSON.stringify({
          anthropic_version: 'bedrock-2023-05-31',
          max_tokens: 2000,
          messages: ask(prompt),
        });
        const response = await cli.send(new InvokeModelWithResponseStreamCommand({ modelId: CLAUDE, body }));
        let text = '';
        for await (const event of response.body!) {
          const chunk = JSON.parse(decoder.decode(event.chunk!.bytes)) as Json;
          if (chunk.type === 'content_block_delta') text += chunk.delta.text ?? '';
        }
        return text;
      };
      expect(await stream('Say it inline')).toBe(MULTI_BYTE);
      expect(await stream('Say it from file')).toBe(MARKDOWN);
      expect(await stream('Say it inline')).not.toBe(MULTI_BYTE);
    } finally {
      cli.destroy();
      run.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await run.exited).toBe(0);
  }, 60_000);

  it('refuses bad JSON and bad rules with a clear message', async () => {
    const badJson = runEmulatorCommand(['--port', '0', '--script', '{"answer":']);
    expect(await badJson.exited).not.toBe(0);
    expect(badJson.output()).toContain('--script must be a JSON rule');

    const dir = mkdtempSync(join(tmpdir(), 'scripts-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify([{ answer: { text: 'ok' } }, { answer: { txt: 'typo' } }]));
    try {
      const badRule = runEmulatorCommand(['--port', '0', '--script-file', file]);
      expect(await badRule.exited).not.toBe(0);
      expect(badRule.output()).toContain('rule 1: answer.text');
      const notArray = runEmulatorCommand(['--port', '0', '--script-file', join(dir, 'missing.json')]);
      expect(await notArray.exited).not.toBe(0);
      expect(notArray.output()).toContain('--script-file cannot read');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
