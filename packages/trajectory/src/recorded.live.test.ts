// Records a few tasks of the suite live, through the real recorder in Chromium, and checks that
// they still compile to the goldens: when the recorder changes, this fails before the fixtures
// go stale (re-record them with `npx tsx packages/trajectory/fixtures/record.ts`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { launchChromium } from '@lockstep/capture-web';
import { serveSamples } from '../../../samples/serve.ts';
import { TASKS, neutralOrigin, recordTask } from '../fixtures/tasks.ts';
import { compile, describeActions } from './index.ts';
import { FIXTURE_URL, checkActions } from './testing.ts';

const LIVE = ['signup-validation', 'board-move-card', 'editor-rename'];

let browser: Browser;
let server: Awaited<ReturnType<typeof serveSamples>>;
beforeAll(async () => {
  [browser, server] = await Promise.all([launchChromium(), serveSamples()]);
});
afterAll(async () => {
  await Promise.all([browser?.close(), server?.close()]);
});

describe('the task suite, recorded live in Chromium', () => {
  it.each(LIVE)('%s compiles to its golden actions', async (name) => {
    const task = TASKS.find((t) => t.name === name)!;
    const events = neutralOrigin(await recordTask(browser, server.url, task), server.url);
    const actions = compile(events);
    checkActions(events, actions);
    const golden = readFileSync(new URL(`../fixtures/${name}.actions.txt`, import.meta.url), 'utf8');
    // Waits depend on timing, and a busy machine can stretch a pause past the threshold; the
    // recorded fixtures check them.
    const noWaits = (text: string) => text.split('\n').filter((line) => line !== 'wait').join('\n');
    expect(noWaits(describeActions(actions, FIXTURE_URL))).toBe(noWaits(golden));
  });
});
