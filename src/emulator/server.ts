/**
 * `startEmulator()`: a local Bedrock Runtime on one port (h2c and HTTP/1.1) that the real AWS SDK
 * talks to by setting `endpoint`. Owns the shared state (faults, request log, quota, speed) and
 * dispatches each request to the admin API or a model operation.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './admin-api.js';
import { createScriptedBackend } from './backends/scripted.js';
import { BedrockServiceError, DEFAULT_ERROR_MESSAGES } from './bedrock-error.js';
import type { TextBackend } from './families/types.js';
import { applyConnectionFault } from './connection-faults.js';
import { FaultInjector, isConnectionFault, type FaultRule } from './faults.js';
import { pause } from './generation.js';
import { GuardrailRegistry, type GuardrailConfig } from './guardrails.js';
import { PromptCache } from './prompt-cache.js';
import {
  headerValue,
  MAX_BODY_BYTES,
  parseJsonBody,
  readBody,
  sdkAttempt,
  sendBedrockError,
  sendJson,
} from './http-io.js';
import { resolveModel } from './model-catalog.js';
import { runOperation } from './model-operations.js';
import { QuotaSimulator, type QuotaOptions } from './quota.js';
import { RequestLog, type RequestLogEntry } from './request-log.js';
import { receivedHeaders, verifyAuthentication, type EmulatorCredentials } from './signature-check.js';
import { route } from './router.js';
import { ScriptedAnswers, type ScriptRule } from './scripted-answers.js';
import { createMarkovBackend } from './text/markov-backend.js';
import { hashString } from './text/seeded-random.js';
import { createPacer, parseSpeed, type Speed, type TimingOptions } from './timing.js';
import { createDualProtocolServer, type EmulatorRequest, type EmulatorResponse } from './transport.js';

export interface EmulatorOptions {
  /** 0 picks a free port (default 0). */
  port?: number;
  host?: string;
  /** `instant` for tests, `realistic` (default) or a multiplier of the realistic pace. */
  speed?: Speed;
  timing?: Omit<TimingOptions, 'speed'>;
  /** Faults scripted from the start (the admin API and `emulator.faults` add more). */
  faults?: FaultRule[];
  /** Exact answers for matching requests from the start (the admin API and `emulator.scripts` add more). */
  scripts?: ScriptRule[];
  /** Guardrails requests can name from the start (the admin API and `emulator.guardrails` add more). */
  guardrails?: GuardrailConfig[];
  quota?: QuotaOptions;
  /** Where the words come from (default: the bundled Markov generator). */
  backend?: TextBackend;
  maxBodyBytes?: number;
  /**
   * Check every model request's SigV4 signature against these credentials, as Bedrock does (403
   * `InvalidSignatureException` / `UnrecognizedClientException` otherwise). Default: any signature passes.
   */
  credentials?: EmulatorCredentials;
  /** Bedrock API keys accepted as `Authorization: Bearer <key>` (checked whenever given). */
  apiKeys?: string[];
  /**
   * The emulator's clock runs this far ahead of the machine's (negative: behind), for signature checks
   * and the `Date` header: a skewed server, which the SDK corrects its clock offset from.
   */
  clockOffsetMs?: number;
  /** Session tokens answered with ExpiredTokenException when checking signatures. */
  expiredSessionTokens?: string[];
  /** SETTINGS_MAX_CONCURRENT_STREAMS on HTTP/2 connections: a server with a lower stream limit. */
  maxConcurrentStreams?: number;
}

export interface Emulator {
  /** `http://host:port`: pass as the SDK's `endpoint`. */
  readonly url: string;
  readonly port: number;
  readonly faults: FaultInjector;
  readonly scripts: ScriptedAnswers;
  readonly guardrails: GuardrailRegistry;
  /** Prefixes cached per model (five minutes); `clear()` or `DELETE /_emulator/cache` empties it. */
  readonly promptCache: PromptCache;
  readonly requestLog: RequestLog;
  readonly quota: QuotaSimulator;
  readonly speed: Speed;
  setSpeed(speed: Speed): void;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const faults = new FaultInjector();
  for (const rule of options.faults ?? []) faults.add(rule);
  const scripts = new ScriptedAnswers();
  for (const rule of options.scripts ?? []) scripts.add(rule);
  const promptCache = new PromptCache();
  const guardrails = new GuardrailRegistry();
  for (const config of options.guardrails ?? []) guardrails.add(config);
  const requestLog = new RequestLog();
  const quota = new QuotaSimulator(options.quota);
  const backend = options.backend ?? createMarkovBackend();
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  let speed: Speed = options.speed ?? 'realistic';
  const admin = {
    faults,
    scripts,
    guardrails,
    promptCache,
    requestLog,
    quota,
    getSpeed: () => speed,
    setSpeed: (next: Speed) => (speed = next),
  };

  const handle = async (req: EmulatorRequest, res: EmulatorResponse) => {
    const target = route(req.method ?? 'GET', req.url ?? '/');
    switch (target.kind) {
      case 'admin':
        return handleAdmin(req, res, target.path, admin);
      case 'home':
        return sendJson(res, 200, usage(server.url));
      case 'bad-model-id':
        return sendBedrockError(
          res,
          new BedrockServiceError('ValidationException', 'The provided model identifier is invalid.'),
          randomUUID(),
        );
      case 'unknown-operation':
        req.resume();
        // What real Bedrock answers for a path it cannot route (bedrock-wire.md §1.5).
        return sendJson(res, req.method === 'POST' ? 200 : 404, {
          Output: { __type: 'com.amazon.coral.service#UnknownOperationException' },
          Version: '1.0',
        });
      case 'model':
        return handleModel(req, res, target.modelId, target.operation);
    }
  };

  const handleModel = async (
    req: EmulatorRequest,
    res: EmulatorResponse,
    modelId: string,
    operation: RequestLogEntry['operation'],
  ) => {
    const requestId = randomUUID();
    const startedAt = Date.now();
    const entry = requestLog.start({ requestId, operation, modelId, body: undefined, attempt: sdkAttempt(req) });
    let faulted = false;
    try {
      const raw = await readBody(req, maxBodyBytes);
      if (options.clockOffsetMs !== undefined) {
        res.setHeader('date', new Date(Date.now() + options.clockOffsetMs).toUTCString());
      }
      if (options.credentials !== undefined || options.apiKeys !== undefined) {
        const received = {
          method: req.method ?? 'POST',
          path: req.url ?? '/',
          headers: receivedHeaders(req),
          body: raw,
        };
        await verifyAuthentication(received, options);
      }
      const model = resolveModel(modelId);
      entry.body = parseJsonBody(raw);
      const fault = faults.take({ modelId, baseModelId: model.baseModelId, operation, attempt: entry.attempt });
      if (fault !== undefined) entry.fault = fault.kind;
      if (fault?.kind === 'error') {
        faulted = true;
        const error = new BedrockServiceError(
          fault.errorType,
          fault.message ?? DEFAULT_ERROR_MESSAGES[fault.errorType],
          faultFields(fault.errorType),
        );
        const headers = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': fault.retryAfterSeconds };
        return failWith(res, error, requestId, entry, headers);
      }
      if (fault !== undefined && isConnectionFault(fault)) {
        faulted = true;
        applyConnectionFault(req, fault);
        requestLog.finish(entry, 'fault', {});
        return;
      }
      if (fault?.kind === 'slow-first-byte') await pause(fault.ms, closedSignal(res));
      const requestSpeed = parseSpeed(headerValue(req, 'x-emulator-speed'));
      const pacer = createPacer(
        { ...options.timing, speed },
        { family: model.family, modelId, baseModelId: model.baseModelId, speed: requestSpeed },
        hashString(raw.toString('latin1')),
      );
      await runOperation({
        req,
        res,
        model,
        body: entry.body,
        requestId,
        entry,
        log: requestLog,
        backend: createScriptedBackend(scripts, backend, {
          modelId,
          baseModelId: model.baseModelId,
          onScripted: () => (entry.scripted = true),
        }),
        quota,
        pacer,
        fault: fault === undefined || fault.kind === 'slow-first-byte' || isConnectionFault(fault) ? undefined : fault,
        startedAt,
        guardrails,
        promptCache,
      });
    } catch (error) {
      if (error instanceof BedrockServiceError) return failWith(res, error, requestId, entry, {}, faulted);
      // Anything unexpected is our bug: answer like Bedrock's 500 and keep serving.
      const message = error instanceof Error ? error.message : String(error);
      failWith(res, new BedrockServiceError('InternalServerException', `Emulator error: ${message}`), requestId, entry);
    }
  };

  const failWith = (
    res: EmulatorResponse,
    error: BedrockServiceError,
    requestId: string,
    entry: RequestLogEntry,
    headers: Record<string, string | number> = {},
    faulted = true,
  ) => {
    sendBedrockError(res, error, requestId, headers);
    requestLog.finish(entry, faulted && entry.fault === 'error' ? 'fault' : 'error', {
      status: error.status,
      errorType: error.errorType,
    });
  };

  const transport = createDualProtocolServer(
    (req, res) => {
      handle(req, res).catch(() => {
        if (!res.headersSent) sendJson(res, 500, { message: 'Emulator error' });
      });
    },
    { maxConcurrentStreams: options.maxConcurrentStreams },
  );
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    transport.server.once('error', reject);
    transport.server.listen(options.port ?? 0, host, () => {
      transport.server.off('error', reject);
      resolve();
    });
  });
  const { port } = transport.server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const server: Emulator = {
    url: `http://${urlHost}:${port}`,
    port,
    faults,
    scripts,
    guardrails,
    promptCache,
    requestLog,
    quota,
    get speed() {
      return speed;
    },
    setSpeed: admin.setSpeed,
    close: () => transport.close(),
  };
  return server;
}

function faultFields(errorType: BedrockServiceError['errorType']) {
  if (errorType === 'ModelErrorException') return { originalStatusCode: 500, resourceName: 'emulated-model' };
  if (errorType === 'ModelStreamErrorException')
    return { originalStatusCode: 500, originalMessage: 'Emulated failure' };
  return {};
}

function usage(url: string) {
  return {
    service: 'aws-bedrock-inference emulator (Bedrock Runtime)',
    endpoint: url,
    operations: ['invoke', 'invoke-with-response-stream', 'converse', 'converse-stream', 'count-tokens'].map(
      (op) => `POST /model/{modelId}/${op}`,
    ),
    admin:
      '/_emulator/health, /_emulator/models, /_emulator/requests, /_emulator/faults, /_emulator/scripts, /_emulator/guardrails, /_emulator/cache, /_emulator/config',
  };
}

/** Aborts when the client closes its connection, so a client that leaves mid-wait is logged at once. */
function closedSignal(res: EmulatorResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => controller.abort());
  return controller.signal;
}
