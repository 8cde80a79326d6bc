/**
 * `npm run bench`: runs each benchmark in turn (or those named on the command line) and writes
 * its result as JSON to bench/results/<name>.json, with the machine it ran on.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

interface BenchResult {
  ratio?: number;
  pass?: boolean;
  results?: unknown;
  [key: string]: unknown;
}

const BENCHES: Record<string, () => Promise<BenchResult>> = {
  ingest: async () => (await import('./ingest.ts')).run(),
  'stored-bytes': async () => (await import('./stored-bytes.ts')).run(),
  recorder: async () => (await import('./recorder.ts')).run(),
  authorize: async () => (await import('./authorize.ts')).run(),
  redact: async () => (await import('./redact.ts')).run(),
  audit: async () => (await import('./audit.ts')).run(),
  keystroke: async () => (await import('./keystroke.ts')).run(),
  export: async () => (await import('./export.ts')).run(),
  agent: async () => (await import('./agent.ts')).run(),
};

const wanted = process.argv.slice(2);
if (wanted.includes('--help')) {
  process.stdout.write(`usage: npm run bench [-- NAME...]\nbenchmarks: ${Object.keys(BENCHES).join(', ')}\nresults: bench/results/NAME.json\n`);
  process.exit(0);
}
for (const name of wanted) if (!BENCHES[name]) throw new Error(`unknown benchmark "${name}"; choose from ${Object.keys(BENCHES).join(', ')}`);

const outDir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(outDir, { recursive: true });
const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
let failed = false;
for (const [name, bench] of Object.entries(BENCHES)) {
  if (wanted.length && !wanted.includes(name)) continue;
  process.stderr.write(`\n== ${name}\n`);
  const result: BenchResult = { ...(await bench()), machine, date: new Date().toISOString() };
  writeFileSync(`${outDir}${name}.json`, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify({ name, ratio: result.ratio, pass: result.pass, results: result.results })}\n`);
  if (result.pass === false) failed = true;
}
if (failed) process.stderr.write('\nsome benchmarks missed their target (see bench/results/)\n');
// An anchor may leave work behind (secretlint's profiler drains its marks for minutes): the
// results are written, so end here rather than wait for it.
process.exit(0);
