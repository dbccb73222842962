/**
 * Runs the fault matrix: every fault case (fault-table.ts) x every consumer (consumers.ts) against
 * one instant emulator and one server, each cell under a deadline, and judges what the user saw:
 * the complete answer (exactly the uninterrupted one), or a typed error whose partial text equals
 * what was delivered, or, with resume, exactly the uninterrupted answer; never a duplicated or
 * missing chunk; and the upstream request closed in the emulator's log once the consumer stopped.
 * A rig started with `{ page: true }` also serves the chat page and opens it once in Chromium, so the
 * page's row (page-consumer.ts) runs too.
 */
import { rmSync } from 'node:fs';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { BedrockStreamingClient } from '../../src/index.js';
import { createServer, type BedrockServer } from '../../src/server/index.js';
import { CONSUMERS, type Consumer, type ConsumerEnv, type Observation } from './consumers.js';
import { CELL_TIMEOUTS, faultCases, type FaultCase } from './fault-table.js';
import { openMatrixPage } from './page-consumer.js';
import { buildPage } from '../page/page-harness.js';

export interface CellResult {
  fault: string;
  phase: string;
  consumer: string;
  outcome: string;
  problems: string[];
  ms: number;
}

export interface MatrixRig {
  emu: Emulator;
  server: BedrockServer;
  env: ConsumerEnv;
  close(): Promise<void>;
}

const CELL_DEADLINE_MS = 15_000;

export async function startMatrixRig(options: { page?: boolean } = {}): Promise<MatrixRig> {
  const emu = await startEmulator({ port: 0, speed: 'instant' });
  const makeClient = () =>
    new BedrockStreamingClient({
      endpoint: emu.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
      timeouts: CELL_TIMEOUTS,
    });
  const client = makeClient();
  const pageDir = options.page === true ? buildPage() : undefined;
  const server = createServer({
    client: makeClient(),
    logger: false,
    heartbeatMs: 0,
    disconnectGraceMs: 0,
    ...(pageDir === undefined ? {} : { page: { dir: pageDir } }),
  });
  const serverUrl = await server.listen(0);
  const opened = pageDir === undefined ? undefined : await openMatrixPage(serverUrl);
  return {
    emu,
    server,
    env: { client, serverUrl, prompt: 'Write five sentences about the sea.', maxTokens: 120, page: opened?.page },
    async close() {
      await opened?.close();
      if (pageDir !== undefined) rmSync(pageDir, { recursive: true, force: true });
      await server.close({ graceMs: 500 });
      server.context.client.destroy();
      client.destroy();
      await emu.close();
    },
  };
}

/** The cells to run; the page's row only where the rig opens the page (`{ page: true }`). */
export function matrixCells(options: { page?: boolean } = {}): { fault: FaultCase; consumer: Consumer }[] {
  const cells: { fault: FaultCase; consumer: Consumer }[] = [];
  for (const fault of faultCases()) {
    for (const consumer of CONSUMERS) {
      if (consumer.needs === 'page' && options.page !== true) continue;
      if (consumer.unary && !fault.unary) continue; // a mid-stream fault cannot reach a non-streaming call
      cells.push({ fault, consumer });
    }
  }
  return cells;
}

const references = new Map<string, string>();

/** The uninterrupted answer as this consumer shows it (the emulator is deterministic per request). */
async function reference(rig: MatrixRig, consumer: Consumer): Promise<string> {
  const known = references.get(consumer.name);
  if (known !== undefined) return known;
  rig.emu.faults.clear();
  const clean = await consumer.run(rig.env);
  if (clean.outcome !== 'complete') throw new Error(`${consumer.name} failed without a fault: ${clean.errorType}`);
  references.set(consumer.name, clean.delivered);
  return clean.delivered;
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no outcome within ${ms} ms (a hang)`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Every upstream request the cell made has ended in the emulator's log (polled, with a deadline). */
async function upstreamClosed(emu: Emulator, ms: number): Promise<string | undefined> {
  const until = Date.now() + ms;
  for (;;) {
    const pending = emu.requestLog.entries().filter((entry) => entry.outcome === 'pending');
    if (pending.length === 0) return undefined;
    if (Date.now() > until)
      return `${pending.length} upstream request(s) still open ${ms} ms after the consumer stopped`;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function judge(fault: FaultCase, consumer: Consumer, seen: Observation, full: string): string[] {
  const problems: string[] = [];
  if (!full.startsWith(seen.delivered))
    problems.push('delivered text is not a prefix of the answer (lost or duplicated text)');
  const mustComplete = fault.expect === 'complete' || (fault.expect === 'cut' && consumer.resume && fault.resumable);
  if (seen.outcome === 'complete') {
    if (seen.delivered !== full) problems.push('ended as complete but the text differs from the uninterrupted answer');
    if (fault.expect === 'cut' && !mustComplete) problems.push('a cut stream ended as complete (a silent done)');
  } else {
    if (mustComplete) problems.push(`expected the complete answer, got ${seen.errorType}`);
    if (
      seen.errorType === undefined ||
      seen.errorType.startsWith('untyped') ||
      seen.errorType.startsWith('no terminal')
    ) {
      problems.push(`the error is not typed: ${seen.errorType}`);
    }
    if (seen.partialText !== undefined && seen.partialText !== seen.delivered) {
      problems.push(
        `partial text (${seen.partialText.length} chars) differs from what was delivered (${seen.delivered.length})`,
      );
    }
  }
  if (seen.continued !== undefined) {
    if (seen.continued.outcome !== 'complete') problems.push('Continue did not finish the answer');
    else if (seen.continued.text !== full)
      problems.push('Continue finished with other text than the uninterrupted answer');
  }
  problems.push(...(seen.problems ?? []));
  return problems;
}

export async function runCell(rig: MatrixRig, fault: FaultCase, consumer: Consumer): Promise<CellResult> {
  const full = await reference(rig, consumer);
  rig.emu.faults.clear();
  rig.emu.requestLog.clear();
  rig.emu.faults.add(fault.rule);
  const startedAt = performance.now();
  const base = { fault: fault.name, phase: fault.phase, consumer: consumer.name };
  let seen: Observation;
  try {
    seen = await withDeadline(consumer.run(rig.env), CELL_DEADLINE_MS, `${fault.name} / ${consumer.name}`);
  } catch (error) {
    return { ...base, outcome: 'hang', problems: [String(error)], ms: performance.now() - startedAt };
  }
  const problems = judge(fault, consumer, seen, full);
  const open = await upstreamClosed(rig.emu, 5_000);
  if (open !== undefined) problems.push(open);
  const outcome = seen.outcome === 'complete' ? 'complete' : `error ${seen.errorType}`;
  return { ...base, outcome, problems, ms: performance.now() - startedAt };
}
