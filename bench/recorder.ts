/**
 * Recorder cost: main-thread time per 1,000 input events in Chromium, for the Lockstep recorder
 * and for rrweb's record() on the same scripted page in the same run, each against a page with
 * no recorder. Main-thread time is Chromium's own TaskDuration metric (CDP Performance domain),
 * read before and after the scripted input, so page load and recorder start-up are excluded.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { attachRecorder, launchChromium } from '@lockstep/capture-web';
import { serveSamples } from '../samples/serve.ts';
import { progress } from './lib/progress.ts';

const ROUNDS = Number(process.env.BENCH_RECORDER_ROUNDS ?? 5);
const require = createRequire(import.meta.url);
// rrweb's package exports only its ES and CommonJS entries; the browser build sits beside them.
const RRWEB = join(dirname(require.resolve('rrweb')), 'rrweb.umd.min.cjs');

type Variant = 'none' | 'lockstep' | 'rrweb';

// rrweb records same-origin iframes from the top document, so it starts only there.
const RRWEB_START = `
  if (window === window.top) {
  window.__rr = [];
  const start = () => window.rrweb.record({ emit: (e) => window.__rr.push(e) });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
  }
`;

/** 1,000 dispatched input events: 500 mouse moves, 200 typed keys (down + up), 50 clicks (down + up). */
async function script(page: Page): Promise<number> {
  let n = 0;
  for (let i = 0; i < 500; i++) {
    await page.mouse.move(100 + (i % 50) * 8, 150 + Math.floor(i / 50) * 12);
    n++;
  }
  await page.click('#message');
  n += 2;
  const text = 'the quick brown fox jumps over the lazy dog, then files the weekly report. '.repeat(3).slice(0, 200);
  for (const ch of text) {
    await page.keyboard.press(ch === ' ' ? 'Space' : ch);
    n += 2;
  }
  for (let i = 0; i < 49; i++) {
    await page.mouse.click(300 + (i % 7) * 10, 600 + (i % 3) * 5);
    n += 2;
  }
  return n;
}

/** Main-thread task time and, within it, script time (seconds, thread ticks). */
async function mainThread(cdp: CDPSession): Promise<{ task: number; script: number }> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
  const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
  return { task: get('TaskDuration'), script: get('ScriptDuration') };
}

async function measure(browser: Browser, url: string, variant: Variant) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  if (variant === 'rrweb') {
    await page.addInitScript({ path: RRWEB });
    // A string, not a function: tsx would wrap a function's source in helpers the page lacks.
    await page.addInitScript(RRWEB_START);
  }
  const recording = variant === 'lockstep' ? await attachRecorder(page) : undefined;
  await page.goto(url);
  await page.waitForTimeout(200);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  const before = await mainThread(cdp);
  const events = await script(page);
  await page.waitForTimeout(300); // let batched work (flushes, rrweb's throttled moves) run
  const after = await mainThread(cdp);
  let captured = 0;
  if (recording) captured = (await recording.stop()).length;
  if (variant === 'rrweb') captured = await page.evaluate(() => (window as unknown as { __rr: unknown[] }).__rr.length);
  await context.close();
  return { ms: (after.task - before.task) * 1000, scriptMs: (after.script - before.script) * 1000, events, captured };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run() {
  const samples = await serveSamples();
  const browser = await launchChromium({ headless: true });
  const url = `${samples.url}signup/`;
  const per: Record<Variant, number[]> = { none: [], lockstep: [], rrweb: [] };
  const script: Record<Variant, number[]> = { none: [], lockstep: [], rrweb: [] };
  const captured: Record<Variant, number> = { none: 0, lockstep: 0, rrweb: 0 };
  const bar = progress('recorder cost', ROUNDS * 3);
  try {
    await measure(browser, url, 'lockstep'); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      for (const v of ['none', 'lockstep', 'rrweb'] as Variant[]) {
        const m = await measure(browser, url, v);
        per[v].push((m.ms / m.events) * 1000);
        script[v].push((m.scriptMs / m.events) * 1000);
        captured[v] = m.captured;
        bar.tick();
      }
    }
  } finally {
    bar.done();
    await browser.close();
    await samples.close();
  }
  const ms = { none: median(per.none), lockstep: median(per.lockstep), rrweb: median(per.rrweb) };
  const overhead = { lockstep: ms.lockstep - ms.none, rrweb: ms.rrweb - ms.none };
  return {
    name: 'recorder',
    description: 'main-thread time (Chromium TaskDuration) per 1,000 dispatched input events, median of rounds',
    params: { rounds: ROUNDS, inputEventsPerRound: 1000, page: 'samples/signup' },
    results: {
      lockstepMsPer1000: ms.lockstep,
      lockstepOverheadMsPer1000: overhead.lockstep,
      lockstepEventsCaptured: captured.lockstep,
      scriptMsPer1000: { none: median(script.none), lockstep: median(script.lockstep), rrweb: median(script.rrweb) },
      rounds: per,
    },
    anchor: { name: 'rrweb record() (default options)', msPer1000: ms.rrweb, overheadMsPer1000: overhead.rrweb, eventsCaptured: captured.rrweb, baselineMsPer1000: ms.none },
    ratio: ms.lockstep / ms.rrweb,
    overheadRatio: overhead.lockstep / overhead.rrweb,
    target: { ratioAtMost: 1 },
    pass: ms.lockstep <= ms.rrweb,
  };
}
