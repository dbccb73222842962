/**
 * `bedrock-inference emulator`: runs the local Bedrock emulator until Ctrl-C, printing how to point
 * the AWS SDK and curl at it.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import type { z } from 'zod';
import { createOpenAICompatibleBackend } from '../../emulator/backends/openai-compatible.js';
import type { FaultRule } from '../../emulator/faults.js';
import { guardrailSchema, type GuardrailConfig } from '../../emulator/guardrails.js';
import { scriptRuleSchema, type ScriptRule } from '../../emulator/scripted-answers.js';
import { startEmulator, type EmulatorOptions } from '../../emulator/server.js';
import type { EmulatorCredentials } from '../../emulator/signature-check.js';
import { parseSpeed } from '../../emulator/timing.js';

interface EmulatorFlags {
  port: number;
  host: string;
  speed: string;
  backend?: string;
  backendModel?: string;
  tpm?: number;
  rpm?: number;
  burndown?: number;
  quotaPeriodMs?: number;
  fault: FaultRule[];
  script: ScriptRule[];
  scriptFile: ScriptRule[];
  guardrail: GuardrailConfig[];
  verifySignatures?: EmulatorCredentials;
  apiKey: string[];
  clockOffsetMs?: number;
  maxConcurrentStreams?: number;
}

export function registerEmulatorCommand(program: Command): void {
  program
    .command('emulator')
    .description('Run a local Bedrock Runtime emulator (HTTP/1.1 and h2c on one port)')
    .option('-p, --port <port>', 'port to listen on', integer, 4010)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--speed <speed>', 'instant | realistic | a multiplier such as 2', 'realistic')
    .option('--backend <backend>', 'text source: markov (default) or openai-compatible=<base URL incl. /v1>')
    .option('--backend-model <name>', 'model name for the OpenAI-compatible backend')
    .option('--tpm <tokens>', 'simulate a tokens-per-minute quota', integer)
    .option('--rpm <requests>', 'simulate a requests-per-minute quota', integer)
    .option(
      '--burndown <factor>',
      'output-token burndown for the quota (default: 5 for Claude 3.7 Sonnet and 4+, else 1)',
      Number,
    )
    .option('--quota-period-ms <ms>', 'the period the quota refills over (default 60000, a minute)', integer)
    .option(
      '--fault <json>',
      'script a fault rule (repeatable), e.g. \'{"fault":{"kind":"error","errorType":"ThrottlingException"},"times":2}\'',
      collectFault,
      [],
    )
    .option(
      '--script <json>',
      'answer matching requests with exact text (repeatable), e.g. \'{"match":{"prompt":"hello"},"answer":{"text":"Hi!"}}\'',
      collectScript,
      [],
    )
    .option(
      '--script-file <file.json>',
      'load scripted answers from a JSON array of rules (repeatable; applied after --script rules)',
      collectScriptFile,
      [],
    )
    .option(
      '--guardrail <json>',
      'define a guardrail requests can name (repeatable), e.g. \'{"id":"gr1","version":"1","blockedWords":["secret"]}\'',
      collectGuardrail,
      [],
    )
    .option(
      '--verify-signatures <keyId:secret>',
      'check every request is SigV4-signed with these credentials, as Bedrock does (403 otherwise)',
      credentialPair,
    )
    .option('--api-key <key>', 'accept this Bedrock API key as Authorization: Bearer (repeatable)', collectText, [])
    .option('--clock-offset-ms <ms>', "run the emulator's clock this far ahead (negative: behind)", signedInteger)
    .option('--max-concurrent-streams <n>', 'advertise this HTTP/2 stream limit (SETTINGS)', integer)
    .action(async (flags: EmulatorFlags, command: Command) => {
      const speed = parseSpeed(flags.speed);
      if (speed === undefined) {
        command.error(`error: --speed must be instant, realistic or a positive number, got "${flags.speed}"`);
      }
      const scripts = [...flags.script, ...flags.scriptFile];
      const options: EmulatorOptions = { port: flags.port, host: flags.host, speed, faults: flags.fault, scripts };
      if (flags.guardrail.length > 0) options.guardrails = flags.guardrail;
      if (flags.verifySignatures !== undefined) options.credentials = flags.verifySignatures;
      if (flags.apiKey.length > 0) options.apiKeys = flags.apiKey;
      if (flags.clockOffsetMs !== undefined) options.clockOffsetMs = flags.clockOffsetMs;
      if (flags.maxConcurrentStreams !== undefined) options.maxConcurrentStreams = flags.maxConcurrentStreams;
      if (flags.tpm !== undefined || flags.rpm !== undefined) {
        options.quota = {
          ...(flags.tpm === undefined ? {} : { tokensPerMinute: flags.tpm }),
          ...(flags.rpm === undefined ? {} : { requestsPerMinute: flags.rpm }),
          ...(flags.burndown === undefined ? {} : { burndown: flags.burndown }),
          ...(flags.quotaPeriodMs === undefined ? {} : { periodMs: flags.quotaPeriodMs }),
        };
      }
      if (flags.backend !== undefined && flags.backend !== 'markov') {
        const match = /^openai-compatible=(.+)$/.exec(flags.backend);
        if (!match) command.error('error: --backend must be markov or openai-compatible=<URL>');
        options.backend = createOpenAICompatibleBackend({
          baseUrl: match[1]!,
          ...(flags.backendModel === undefined ? {} : { model: flags.backendModel }),
        });
      }
      const emulator = await startEmulator(options);
      process.stdout.write(banner(emulator.url, flags.speed, flags.verifySignatures, scripts.length));
      const stop = async () => {
        process.stdout.write('\nStopping the emulator...\n');
        await emulator.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

function banner(url: string, speed: string, verified: EmulatorCredentials | undefined, scripts: number): string {
  const model = 'anthropic.claude-3-haiku-20240307-v1:0';
  const body =
    '{"anthropic_version":"bedrock-2023-05-31","max_tokens":60,"messages":[{"role":"user","content":"Hello"}]}';
  const keys = verified ?? { accessKeyId: 'local', secretAccessKey: 'local' };
  // Unsigned curl requests only pass while signatures are not checked.
  const curl = verified
    ? [`Signatures are checked: sign with access key ${verified.accessKeyId} (unsigned requests get 403).`]
    : [
        'Stream with curl:',
        `  curl -sN ${url}/model/${model}/invoke-with-response-stream -H 'content-type: application/json' \\`,
        `    -d '${body}' | strings`,
      ];
  return [
    `Bedrock emulator listening on ${url} (HTTP/1.1 and h2c, speed: ${speed})`,
    '',
    'Point the AWS SDK at it:',
    `  new BedrockRuntimeClient({ endpoint: '${url}', region: 'us-east-1',`,
    `    credentials: { accessKeyId: '${keys.accessKeyId}', secretAccessKey: '${verified ? '<the secret>' : keys.secretAccessKey}' } })`,
    `  or: export AWS_ENDPOINT_URL_BEDROCK_RUNTIME=${url}`,
    '',
    ...curl,
    '',
    `Models: ${url}/_emulator/models   Request log: ${url}/_emulator/requests   Faults: POST ${url}/_emulator/faults`,
    ...(scripts > 0 ? [`Scripted answers: ${scripts} rule(s), see ${url}/_emulator/scripts`] : []),
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
}

function integer(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return parsed;
}

function credentialPair(value: string): EmulatorCredentials {
  const at = value.indexOf(':');
  if (at <= 0 || at === value.length - 1) {
    throw new InvalidArgumentError(`--verify-signatures takes <access key id>:<secret access key>, got "${value}"`);
  }
  return { accessKeyId: value.slice(0, at), secretAccessKey: value.slice(at + 1) };
}

function collectFault(value: string, previous: FaultRule[]): FaultRule[] {
  try {
    return [...previous, JSON.parse(value) as FaultRule];
  } catch {
    throw new InvalidArgumentError(`--fault must be JSON, got ${value}`);
  }
}

function collectScript(value: string, previous: ScriptRule[]): ScriptRule[] {
  let input: unknown;
  try {
    input = JSON.parse(value);
  } catch (error) {
    throw new InvalidArgumentError(`--script must be a JSON rule: ${(error as Error).message}, got ${value}`);
  }
  return [...previous, scriptRule(input, '--script')];
}

function collectScriptFile(file: string, previous: ScriptRule[]): ScriptRule[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError(`--script-file cannot read ${file}: ${(error as Error).message}`);
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`--script-file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(input)) throw new InvalidArgumentError(`--script-file ${file} must hold a JSON array of rules`);
  return [...previous, ...input.map((rule, i) => scriptRule(rule, `--script-file ${file}, rule ${i}`))];
}

function collectGuardrail(value: string, previous: GuardrailConfig[]): GuardrailConfig[] {
  let input: unknown;
  try {
    input = JSON.parse(value);
  } catch (error) {
    throw new InvalidArgumentError(`--guardrail must be JSON: ${(error as Error).message}, got ${value}`);
  }
  const parsed = guardrailSchema.safeParse(input);
  if (!parsed.success) throw new InvalidArgumentError(`--guardrail: ${describeIssues(parsed.error)}`);
  return [...previous, parsed.data];
}

/** Validated here so a bad rule is a usage error naming its field, not a stack trace at start-up. */
function scriptRule(input: unknown, where: string): ScriptRule {
  const parsed = scriptRuleSchema.safeParse(input);
  if (!parsed.success) throw new InvalidArgumentError(`${where}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(rule)'}: ${issue.message}`).join('; ');
}

function collectText(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function signedInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return parsed;
}
