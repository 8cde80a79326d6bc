// Writes trajectory-v1.schema.json, the published JSON Schema of a `jsonl` line, from the zod
// schema (src/export/schema.ts). Run after changing the record format, and commit the result:
//   npx tsx packages/trajectory/schema/generate.ts
// src/export/schema.test.ts fails while the committed file differs from what this would write.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { trajectoryJsonSchema } from '../src/export/schema.ts';

const file = fileURLToPath(new URL('./trajectory-v1.schema.json', import.meta.url));
writeFileSync(file, `${JSON.stringify(trajectoryJsonSchema(), null, 2)}\n`);
console.log(`wrote ${file}`);
