import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { attachRecorder } from '../playwright.ts';
import { checkInvariants, ofType, routePages, useBrowser } from '../testing/fixture.ts';

const fx = useBrowser();

/** Scrolls step by step inside the page, one step per `every` ms, and returns the elapsed ms. */
async function scrollSteps(page: Page, selector: string | null, steps: number, every: number): Promise<number> {
  return page.evaluate(
    async ([sel, n, ms]) => {
      const start = performance.now();
      const el = sel ? (document.querySelector(sel) as HTMLElement) : null;
      for (let i = 1; i <= n; i++) {
        // Scroll events fire at the next rendering step: the last one is awaited.
        const fired = new Promise((r) => (el ?? document).addEventListener('scroll', r, { once: true }));
        if (el) el.scrollTop = i * 7;
        else window.scrollTo(0, i * 23);
        await (i === n ? fired : new Promise((r) => setTimeout(r, ms)));
      }
      return performance.now() - start;
    },
    [selector, steps, every] as const,
  );
}

// Sequential: scroll events fire in the rendering step, which Chromium slows down for pages
// that are not in front.
describe('scroll observer', () => {
  it('throttles page scroll, has no target, and always records the final position', async () => {
    const page = await fx.page();
    const rec = await attachRecorder(page, { scrollThrottleMs: 100 });
    await page.goto(`${fx.samples}signup/`);
    const elapsed = await scrollSteps(page, null, 30, 10);
    const final = await page.evaluate(() => window.scrollY);
    const events = await rec.stop();
    checkInvariants(events);
    const scrolls = ofType(events, 'scroll');
    expect(final).toBe(30 * 23);
    expect(scrolls.length).toBeGreaterThanOrEqual(2);
    expect(scrolls.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 2);
    expect(scrolls.at(-1)).toEqual(expect.objectContaining({ scrollX: 0, scrollY: final }));
    for (const s of scrolls) expect(s.target).toBeUndefined();
    await page.close();
  });

  it('records element scroll with the element as target', async () => {
    const page = await fx.page();
    const rec = await attachRecorder(page, { scrollThrottleMs: 50 });
    await page.goto(`${fx.samples}signup/`);
    await scrollSteps(page, '#activity', 20, 5);
    const events = await rec.stop();
    const scrolls = ofType(events, 'scroll');
    expect(scrolls.length).toBeLessThan(20);
    expect(scrolls.at(-1)).toMatchObject({ scrollX: 0, scrollY: 140, target: { tag: 'ul', selector: '#activity', role: 'list' } });
    await page.close();
  });

  it('reports a frame document scroll against its root element, with the frame path', async () => {
    const page = await fx.page();
    await routePages(page, {
      '/': '<iframe src="/inner" style="width:300px;height:100px"></iframe>',
      '/inner': '<!doctype html><div style="height:2000px">tall</div>',
    });
    const rec = await attachRecorder(page, { scrollThrottleMs: 20 });
    await page.goto('http://lockstep.test/');
    const frame = page.frames()[1];
    if (!frame) throw new Error('no frame');
    // Scroll events fire at the next rendering step: wait for it before stopping.
    await frame.evaluate(() => new Promise<void>((resolve) => {
      addEventListener('scroll', () => resolve(), { once: true });
      window.scrollTo(0, 321);
    }));
    const events = await rec.stop();
    expect(ofType(events, 'scroll').at(-1)).toMatchObject({ scrollY: 321, target: { tag: 'html', frame: [0] } });
    await page.close();
  });
});
