// Loads in-page modules into a real page, for unit tests of DOM code: the modules are bundled
// by esbuild into one script and their exports land on window.__m under the given names.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

const bundles = new Map<string, Promise<string>>();

function bundle(modules: Record<string, URL>): Promise<string> {
  const entry = Object.entries(modules)
    .map(([name, url]) => `export * as ${name} from ${JSON.stringify(fileURLToPath(url))};`)
    .join('\n');
  let b = bundles.get(entry);
  if (!b) {
    b = build({ stdin: { contents: entry, loader: 'ts', resolveDir: fileURLToPath(new URL('.', import.meta.url)) }, bundle: true, format: 'iife', globalName: '__m', platform: 'browser', target: 'es2020', write: false, logLevel: 'silent' }).then(
      (r) => r.outputFiles[0]?.text ?? '',
    );
    bundles.set(entry, b);
  }
  return b;
}

/**
 * Opens `html` (served from http://unit.test/, plus any `extra` pages by URL) and loads the
 * modules into the top document as window.__m.<name>.
 */
export async function pageWithModules(page: Page, html: string, modules: Record<string, URL>, extra: Record<string, string> = {}): Promise<void> {
  await page.route(/^http:\/\/[a-z]+\.test\//, (route) => {
    const url = route.request().url();
    const body = url === 'http://unit.test/' ? html : extra[url];
    return body === undefined ? route.fulfill({ status: 404, body: '' }) : route.fulfill({ contentType: 'text/html; charset=utf-8', body });
  });
  await page.goto('http://unit.test/');
  await page.addScriptTag({ content: await bundle(modules) });
}

/** Loads the same modules into a frame (for frame-relative tests). */
export async function addModules(target: { addScriptTag(o: { content: string }): Promise<unknown> }, modules: Record<string, URL>): Promise<void> {
  await target.addScriptTag({ content: await bundle(modules) });
}
