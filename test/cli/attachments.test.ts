/**
 * `--image`, `--document` and `--guardrail` on `stream` and `chat`, run as a user runs them (a child
 * process) against a test emulator through `--backend aws`: the files reach Bedrock as image and document
 * blocks (type from the extension, bytes intact), a missing file or an unknown type is a clear error, and
 * a guardrail's intervention is a notice on stderr (shown even with --quiet) that keeps withdrawn text out
 * of the chat's history.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { png } from '../support/media-samples.js';
import { awsEnvFor, runCli } from './cli-harness.js';

const credentials = { accessKeyId: 'AKIDCLIMEDIA', secretAccessKey: 'cli-media-secret' };

let emu: Emulator;
let dir: string;
let env: NodeJS.ProcessEnv;
const image = Buffer.from(png(6, 6));
beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    speed: 'instant',
    credentials,
    guardrails: [{ id: 'cligr', blockedWords: ['forbidden'] }],
    scripts: [{ match: { prompt: 'tell the tale' }, answer: { text: 'Once there was a forbidden room and more.' } }],
  });
  env = awsEnvFor(emu.url, credentials);
  dir = mkdtempSync(path.join(tmpdir(), 'cli-media-'));
  writeFileSync(path.join(dir, 'chart.png'), image);
  writeFileSync(path.join(dir, 'Q3 report.v2.txt'), 'Revenue grew.');
  writeFileSync(path.join(dir, 'photo.bmp'), 'BM');
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => emu.requestLog.clear());

/** The JSON body the emulator received for the one call the CLI made. */
function sentBody(): Record<string, unknown> {
  const [entry] = emu.requestLog.entries();
  return entry!.body as Record<string, unknown>;
}

describe('--image and --document', () => {
  it('stream sends them before the prompt, as image and document blocks (converse)', async () => {
    const run = await runCli(
      'stream',
      [
        'What do these show?',
        '--image',
        path.join(dir, 'chart.png'),
        '--document',
        path.join(dir, 'Q3 report.v2.txt'),
        '--api',
        'converse',
        '--max-tokens',
        '20',
      ],
      { env },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).not.toBe('');
    const content = (sentBody().messages as { content: Record<string, unknown>[] }[])[0]!.content;
    expect(content.map((block) => Object.keys(block)[0])).toEqual(['image', 'document', 'text']);
    expect(content[0]).toEqual({ image: { format: 'png', source: { bytes: image.toString('base64') } } });
    expect(content[1]).toMatchObject({
      document: {
        format: 'txt',
        name: 'Q3 report v2',
        source: { bytes: Buffer.from('Revenue grew.').toString('base64') },
      },
    });
    expect(content[2]).toEqual({ text: 'What do these show?' });
  }, 60_000);

  it('chat sends them with the first turn only (Claude invoke: native image block)', async () => {
    const run = await runCli('chat', ['--image', path.join(dir, 'chart.png'), '--max-tokens', '10'], {
      env,
      stdin: 'Describe it.\nAnd again?\n',
    });
    expect(run.code, run.stderr).toBe(0);
    const bodies = emu.requestLog.entries().map((entry) => entry.body as { messages: { content: unknown }[] });
    expect(bodies).toHaveLength(2);
    const firstTurn = bodies[1]!.messages[0]!.content as { type: string; source?: { media_type: string } }[];
    expect(firstTurn[0]).toMatchObject({ type: 'image', source: { media_type: 'image/png' } });
    expect(JSON.stringify(bodies[1]!.messages.at(-1))).not.toContain('"image"');
  }, 60_000);

  it('a missing file or an unknown type is an error naming the file and the fix', async () => {
    const missing = await runCli('stream', ['hi', '--image', path.join(dir, 'nope.png')], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no such file: ${path.join(dir, 'nope.png')} (check the path of the image)`);
    const bmp = await runCli('stream', ['hi', '--image', path.join(dir, 'photo.bmp')], { env });
    expect(bmp.code).toBe(1);
    expect(bmp.stderr).toContain('unknown image type ".bmp"; Bedrock takes .png, .jpg, .jpeg, .gif, .webp');
    const imageAsDocument = await runCli('stream', ['hi', '--document', path.join(dir, 'chart.png')], { env });
    expect(imageAsDocument.code).toBe(1);
    expect(imageAsDocument.stderr).toContain('(for an image use --image)');
    expect(emu.requestLog.entries()).toEqual([]);
  }, 60_000);
});

describe('--guardrail', () => {
  it('prints a notice when the guardrail withdraws the answer, even with --quiet', async () => {
    const run = await runCli('stream', ['Please tell the tale.', '--guardrail', 'cligr:DRAFT', '--quiet'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      'Guardrail: the answer was stopped and the text above withdrawn; do not rely on it.\n',
    );
    expect(run.stderr).not.toContain(' out tokens'); // --quiet still hides the metrics line
    expect(emu.requestLog.entries()[0]!.guardrail).toMatchObject({ id: 'cligr' });
  }, 60_000);

  it('says a blocked request was blocked; chat keeps a withdrawn answer out of the history', async () => {
    const blocked = await runCli('stream', ['Something forbidden?', '--guardrail', 'cligr:DRAFT'], { env });
    expect(blocked.stderr).toContain('Guardrail: the request was blocked; the model did not answer it.');
    emu.requestLog.clear();
    const chat = await runCli('chat', ['--guardrail', 'cligr:DRAFT', '--quiet'], {
      env,
      stdin: 'Please tell the tale.\nThanks.\n',
    });
    expect(chat.code, chat.stderr).toBe(0);
    const second = emu.requestLog.entries()[1]!.body as { messages: unknown[] };
    expect(JSON.stringify(second.messages)).not.toContain('Once there was');
  }, 60_000);

  it('refuses a malformed guardrail flag', async () => {
    const run = await runCli('stream', ['hi', '--guardrail', 'just-an-id'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('expected <id>:<version>');
  }, 60_000);
});
