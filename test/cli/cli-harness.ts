/** Runs `bedrock-inference <command>` as a user does: a child process (tsx), stdin given, output collected. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The flags for the embedded emulator at instant speed. */
export const INSTANT_EMULATOR = ['--backend', 'emulator', '--emulator-speed', 'instant'] as const;

/** No AWS credentials or endpoints from the machine running the tests. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_CONFIG_FILE: '/nonexistent/config',
  };
  for (const key of Object.keys(env))
    if (key.startsWith('AWS_') && !key.endsWith('_FILE') && key !== 'AWS_EC2_METADATA_DISABLED') delete env[key];
  return { ...env, ...extra };
}

/** The environment of `--backend aws` against a test emulator: these keys, the SDK's own endpoint setting. */
export function awsEnvFor(
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): NodeJS.ProcessEnv {
  return cleanEnv({
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: endpoint,
  });
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  command: string,
  args: string[],
  options: { stdin?: string; env?: NodeJS.ProcessEnv; onStdout?: (child: ChildProcess) => void } = {},
): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', command, ...args], {
    cwd: root,
    env: options.env ?? cleanEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    options.onStdout?.(child);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.stdin ?? '');
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
