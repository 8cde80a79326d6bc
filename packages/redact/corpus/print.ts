// Writes the corpus as JSON lines on stdout: npm run corpus -w @lockstep/redact
declare const console: { log(line: string): void };
import { generateCorpus } from './generate.ts';

for (const c of generateCorpus()) console.log(JSON.stringify(c));
