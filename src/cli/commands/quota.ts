/**
 * `bedrock-inference quota --redis-url <url>`: the fleet's quota books, live. Reads what every limiter
 * sharing that Redis (and key prefix) keeps: per model, tokens and requests available, tokens reserved,
 * waiting callers, the learnt rate and Bedrock's throttles. Refreshes every `--interval` ms; `--once`
 * prints one table (`--json`: one JSON snapshot) and exits.
 */
import type { Command } from 'commander';
import { RedisQuotaBackend } from '../../quota/redis-backend.js';
import type { ModelQuotaSnapshot } from '../../quota/types.js';
import { positiveInteger } from '../option-parsers.js';

interface QuotaFlags {
  redisUrl?: string;
  keyPrefix: string;
  interval: number;
  once?: boolean;
  json?: boolean;
}

export function registerQuotaCommand(program: Command): void {
  program
    .command('quota')
    .description("Show the fleet's quota books in Redis, live (what limiters sharing --redis-url keep)")
    .option('--redis-url <url>', 'the Redis the limiters share (default: REDIS_URL)')
    .option('--key-prefix <prefix>', 'their key prefix', 'bedrock-quota:')
    .option('--interval <ms>', 'refresh every this many ms', positiveInteger, 1000)
    .option('--once', 'print once and exit')
    .option('--json', 'print JSON (implies --once)')
    .action(async (flags: QuotaFlags, command: Command) => {
      const url = flags.redisUrl ?? process.env.REDIS_URL;
      if (url === undefined) command.error('error: --redis-url (or REDIS_URL) is required');
      const backend = new RedisQuotaBackend({ redis: url, keyPrefix: flags.keyPrefix });
      try {
        if (flags.json === true || flags.once === true) {
          const models = await readBooks(backend);
          process.stdout.write(flags.json === true ? `${JSON.stringify({ models }, null, 2)}\n` : table(models));
          return;
        }
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          const paint = async () => {
            const text = await readBooks(backend).then(table, (error: Error) => `Redis: ${error.message}\n`);
            // Redraw in place on a terminal; append otherwise (a log file stays readable).
            process.stdout.write(process.stdout.isTTY ? `\x1b[H\x1b[2J${text}` : text);
          };
          void paint();
          const timer = setInterval(() => void paint(), flags.interval);
          process.once('SIGINT', () => clearInterval(timer));
        });
      } catch (error) {
        command.error(`error: cannot read the quota books: ${(error as Error).message}`);
      } finally {
        await backend.close();
      }
    });
}

async function readBooks(backend: RedisQuotaBackend): Promise<ModelQuotaSnapshot[]> {
  const models: ModelQuotaSnapshot[] = [];
  for (const key of await backend.keys()) {
    const limits = await backend.storedLimits(key);
    if (limits !== undefined) models.push(await backend.snapshot(key, limits));
  }
  return models;
}

function table(models: readonly ModelQuotaSnapshot[]): string {
  const header = [
    'model (quota key)',
    'tokens free',
    'requests free',
    'reserved',
    'waiting',
    'learnt rate',
    'throttles',
  ];
  const rows = models.map((m) => [
    m.key,
    m.tokensAvailable === undefined ? '-' : `${m.tokensAvailable} / ${m.learntTokensPerPeriod}`,
    m.requestsAvailable === undefined ? '-' : `${m.requestsAvailable} / ${m.learntRequestsPerPeriod}`,
    String(m.tokensReserved),
    String(m.waiting),
    `${Math.round(m.rateFactor * 100)}%`,
    String(m.throttles),
  ]);
  if (rows.length === 0) return `${new Date().toISOString()}  no quota books under this prefix yet\n`;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [new Date().toISOString(), line(header), ...rows.map(line), ''].join('\n');
}
