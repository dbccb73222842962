/**
 * `bedrock-inference serve` in its own process, run as a user runs it (tsx on src/cli), with no AWS
 * credentials from the machine running the tests: its URL once the banner names it, everything it
 * printed, and a graceful stop (SIGTERM).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServeProcess {
  /** Resolves with the server's URL; rejects with its output if it exits first. */
  url: Promise<string>;
  /** Resolves with the exit code once the process ended. */
  exited: Promise<number | null>;
  output(): string;
  /** Sends SIGTERM (a graceful shutdown); await `exited` for the end. */
  stop(): void;
}

export function startServeProcess(args: string[], env: NodeJS.ProcessEnv = {}): ServeProcess {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_CONFIG_FILE: '/nonexistent/config',
  };
  for (const key of Object.keys(childEnv)) {
    if (
      /^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE|WEB_IDENTITY_TOKEN_FILE|ROLE_ARN|CONTAINER_|BEARER_TOKEN)/.test(
        key,
      )
    ) {
      delete childEnv[key];
    }
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'serve', '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...childEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /Streaming server on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
  url.catch(() => undefined); // a test that only awaits `exited` must not see an unhandled rejection
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { url, exited, output: () => output, stop: () => child.kill('SIGTERM') };
}
