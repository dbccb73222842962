/**
 * `npm run bench [-- --quick] [-- --only emulator,client]`: every benchmark section in one run, printed
 * as tables of ratios where there is something to compare, and saved to bench/results/latest.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { emulatorSection } from './sections/emulator.js';
import { formatTable, type BenchTable } from './support/report.js';

const sections: Record<string, (options: { quick: boolean }) => Promise<BenchTable[]>> = {
  emulator: emulatorSection,
  client: (options) => import('./sections/client.js').then((module) => module.clientSection(options)),
  server: (options) => import('./sections/server.js').then((module) => module.serverSection(options)),
  page: (options) => import('./sections/page.js').then((module) => module.pageSection(options)),
  quota: (options) => import('./sections/quota.js').then((module) => module.quotaSection(options)),
};

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } },
});
const selected = values.only ? values.only.split(',') : Object.keys(sections);
const unknown = selected.filter((name) => !(name in sections));
if (unknown.length > 0) {
  console.error(`Unknown section(s): ${unknown.join(', ')}. Sections: ${Object.keys(sections).join(', ')}.`);
  process.exit(2);
}

console.log(`node ${process.version}, ${values.quick ? 'quick' : 'full'} run, sections: ${selected.join(', ')}`);
const tables: BenchTable[] = [];
for (const name of selected) {
  const result = await sections[name]!({ quick: values.quick ?? false });
  for (const table of result) console.log(formatTable(table));
  tables.push(...result);
}

await mkdir(new URL('./results/', import.meta.url), { recursive: true });
await writeFile(
  new URL('./results/latest.json', import.meta.url),
  JSON.stringify({ at: new Date().toISOString(), node: process.version, quick: values.quick, tables }, null, 2),
);

// The page section marks each missed target FAIL: the run fails loudly, after every table was printed and saved.
const failed = tables.filter((table) => table.section === 'page' && table.rows.some((row) => row.includes('FAIL')));
if (failed.length > 0) {
  console.error(`\nTargets missed in: ${failed.map((table) => table.title).join('; ')}`);
  process.exitCode = 1;
}
