/**
 * The fault matrix's one table: every fault the emulator injects, at each phase it can hit, with what
 * a user must see. A new fault is one row; test/reliability/consumers.ts adds the other axis.
 * Phases: `before-headers` (the upstream answer never starts), `before-text` (it started, no text
 * yet: Claude's message_start came), `after-text` (the answer was cut after some text).
 */
import type { FaultRule } from '../../src/emulator/faults.js';
import { BEDROCK_ERROR_STATUS, type BedrockErrorName } from '../../src/emulator/bedrock-error.js';
import { STREAM_EXCEPTION_TYPES } from '../../src/emulator/faults.js';

export type Phase = 'before-headers' | 'before-text' | 'after-text';

/**
 * What the cell must end with: `complete` (the uninterrupted answer), `cut` (a typed error whose
 * partial text is what was delivered; with resume on, `resumable` cuts must end complete instead),
 * or `either` (retried to complete, or a typed error with the delivered partial text).
 */
export type Expectation = 'complete' | 'cut' | 'either';

export interface FaultCase {
  name: string;
  phase: Phase;
  rule: FaultRule;
  expect: Expectation;
  /** A continuation can repair it (with resume on, the answer must end complete and exact). */
  resumable: boolean;
  /** The case starts the answer at all, so consumers that cannot stream (invoke) see it too. */
  unary: boolean;
}

/** Client timeouts every consumer runs with: long stalls cross them, short ones do not. */
export const CELL_TIMEOUTS = { firstChunkMs: 600, betweenChunksMs: 600 };
const SHORT_MS = 60;
const LONG_MS = 1_500;
const AFTER_TEXT = 6;
const BEFORE_TEXT = 1;

const PRE_STREAM_ERRORS = (Object.keys(BEDROCK_ERROR_STATUS) as BedrockErrorName[]).filter(
  // The signature errors need a signing emulator to mean anything; the client tests cover them.
  (name) => !/Signature|UnrecognizedClient|ExpiredToken|MissingAuthentication/.test(name),
);

export function faultCases(): FaultCase[] {
  const cases: FaultCase[] = [];
  for (const errorType of PRE_STREAM_ERRORS) {
    cases.push({
      name: `error ${errorType}`,
      phase: 'before-headers',
      rule: { fault: { kind: 'error', errorType } },
      expect: 'either',
      resumable: false,
      unary: true,
    });
  }
  cases.push({
    name: 'quota 429 (ThrottlingException, Retry-After 0)',
    phase: 'before-headers',
    rule: { fault: { kind: 'error', errorType: 'ThrottlingException', retryAfterSeconds: 0 } },
    expect: 'complete',
    resumable: false,
    unary: true,
  });
  for (const exceptionType of STREAM_EXCEPTION_TYPES) {
    const retryable = exceptionType !== 'validationException';
    for (const [phase, afterChunks] of [
      ['before-text', BEFORE_TEXT],
      ['after-text', AFTER_TEXT],
    ] as const) {
      cases.push({
        name: `stream-exception ${exceptionType}`,
        phase,
        rule: { fault: { kind: 'stream-exception', exceptionType, afterChunks } },
        expect: phase === 'after-text' ? 'cut' : 'either',
        resumable: retryable,
        unary: false,
      });
    }
  }
  for (const kind of ['reset', 'truncate', 'corrupt-crc', 'end-early'] as const) {
    for (const [phase, afterChunks] of [
      ['before-text', BEFORE_TEXT],
      ['after-text', AFTER_TEXT],
    ] as const) {
      cases.push({
        name: kind,
        phase,
        rule: { fault: { kind, afterChunks } },
        expect: phase === 'after-text' ? 'cut' : 'either',
        resumable: true,
        unary: false,
      });
    }
  }
  cases.push({
    name: 'error-frame',
    phase: 'after-text',
    rule: {
      fault: { kind: 'error-frame', afterChunks: AFTER_TEXT, errorCode: 'InternalFailure', errorMessage: 'boom' },
    },
    expect: 'cut',
    resumable: true,
    unary: false,
  });
  cases.push({
    name: `stall ${SHORT_MS} ms`,
    phase: 'after-text',
    rule: { fault: { kind: 'stall', afterChunks: AFTER_TEXT, ms: SHORT_MS } },
    expect: 'complete',
    resumable: true,
    unary: false,
  });
  cases.push({
    name: `stall ${LONG_MS} ms (past betweenChunks)`,
    phase: 'after-text',
    rule: { fault: { kind: 'stall', afterChunks: AFTER_TEXT, ms: LONG_MS } },
    expect: 'cut',
    resumable: true,
    unary: false,
  });
  cases.push({
    name: `stall ${LONG_MS} ms before text (past firstChunk)`,
    phase: 'before-text',
    rule: { fault: { kind: 'stall', afterChunks: BEFORE_TEXT, ms: LONG_MS } },
    // Today a TimeoutError (nothing delivered); once the client retries a first-byte stall on a fresh
    // connection, the complete answer. Both keep the contract.
    expect: 'either',
    resumable: false,
    unary: false,
  });
  cases.push({
    name: `slow-first-byte ${SHORT_MS} ms`,
    phase: 'before-headers',
    rule: { fault: { kind: 'slow-first-byte', ms: SHORT_MS } },
    expect: 'complete',
    resumable: false,
    unary: true,
  });
  cases.push({
    name: `slow-first-byte ${LONG_MS} ms (past firstChunk)`,
    phase: 'before-headers',
    rule: { fault: { kind: 'slow-first-byte', ms: LONG_MS } },
    expect: 'either',
    resumable: false,
    unary: false,
  });
  return cases;
}
