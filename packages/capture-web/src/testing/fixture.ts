// Test fixtures: one Chromium per test file, the sample server, fresh pages, and HTML pages
// served through request routing (no network).
import { afterAll, beforeAll } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CaptureEvent } from '@lockstep/schema';
import { launchChromium } from '../chromium.ts';
import { serveSamples } from '../../../../samples/serve.ts';

export interface Fixture {
  readonly browser: Browser;
  /** Base URL of the sample server, ending in '/'. */
  readonly samples: string;
  /** A new 1000×700 page (one context per test file); closed with the browser after the file's tests. */
  page(): Promise<Page>;
}

export function useBrowser(): Fixture {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let server: Awaited<ReturnType<typeof serveSamples>> | undefined;
  beforeAll(async () => {
    [browser, server] = await Promise.all([launchChromium(), serveSamples()]);
    context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  });
  afterAll(async () => {
    await Promise.all([browser?.close(), server?.close()]);
  });
  return {
    get browser() {
      if (!browser) throw new Error('browser not started');
      return browser;
    },
    get samples() {
      if (!server) throw new Error('sample server not started');
      return server.url;
    },
    async page() {
      if (!context) throw new Error('browser not started');
      return context.newPage();
    },
  };
}

/**
 * Serves the given pages from fake origins through request routing. Keys are full URLs
 * (http://a.test/index.html) or paths on http://lockstep.test.
 */
export async function routePages(page: Page, pages: Record<string, string>): Promise<void> {
  const full = new Map(Object.entries(pages).map(([k, v]) => [k.startsWith('http') ? k : `http://lockstep.test${k}`, v]));
  await page.route(/^http:\/\/[a-z]+\.test\//, (route) => {
    const url = route.request().url().split('#')[0] ?? '';
    const body = full.get(url);
    return body === undefined ? route.fulfill({ status: 404, body: 'not found' }) : route.fulfill({ contentType: 'text/html; charset=utf-8', body });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Asserts the invariants every recording must keep: schema-valid, seq 0.., t non-decreasing. */
export function checkInvariants(events: readonly CaptureEvent[]): void {
  let lastT = 0;
  events.forEach((e, i) => {
    const r = CaptureEvent.safeParse(e);
    if (!r.success) throw new Error(`event ${i} is invalid: ${JSON.stringify(e)}: ${r.error.message}`);
    if (e.seq !== i) throw new Error(`event ${i} has seq ${e.seq}`);
    if (e.t < lastT) throw new Error(`event ${i} goes back in time (${e.t} < ${lastT})`);
    lastT = e.t;
  });
  if (events[0]?.type !== 'marker' || events[0].kind !== 'start' || events[0].t !== 0) throw new Error('first event is not the start marker');
}

/** Events of one type, narrowed. */
export function ofType<T extends CaptureEvent['type']>(events: readonly CaptureEvent[], type: T): Extract<CaptureEvent, { type: T }>[] {
  return events.filter((e): e is Extract<CaptureEvent, { type: T }> => e.type === type);
}

/** Click options for tests: the pages are static, so Playwright's actionability waits only cost time. */
export const FORCE = { force: true } as const;
