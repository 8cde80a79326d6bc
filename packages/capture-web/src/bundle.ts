// Builds the in-page recorder script: recorder.ts bundled by esbuild into one IIFE (once per
// process), wrapped in a function that receives the options as a JSON literal.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { pageOptions } from './options.ts';
import type { RecorderOptions } from './options.ts';

const SRC_DIR = dirname(fileURLToPath(import.meta.url));

/** The entry point: install the recorder with the options the wrapper passes in. */
const ENTRY = `
import { installRecorder } from './recorder.ts';
try { installRecorder(__lockstepOptions); } catch { /* never into the page */ }
`;

let bundled: Promise<string> | undefined;

/** The bundled recorder without options (cached; built on first use). */
export function recorderBundle(): Promise<string> {
  bundled ??= build({
    stdin: { contents: ENTRY, resolveDir: SRC_DIR, sourcefile: 'lockstep-recorder.ts', loader: 'ts' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    write: false,
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  }).then((result) => {
    const file = result.outputFiles[0];
    if (!file) throw new Error('esbuild produced no recorder bundle');
    return file.text;
  });
  bundled.catch(() => {
    bundled = undefined; // let a later call try again
  });
  return bundled;
}

/** The recorder as a script for addInitScript or evaluate, with these options baked in. */
export async function recorderScript(options: RecorderOptions = {}): Promise<string> {
  const code = await recorderBundle();
  return `(function(__lockstepOptions){${code}})(${JSON.stringify(pageOptions(options))});`;
}
