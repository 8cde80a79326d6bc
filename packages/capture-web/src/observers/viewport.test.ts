import { describe, expect, it } from 'vitest';
import { attachRecorder } from '../playwright.ts';
import { checkInvariants, ofType, useBrowser } from '../testing/fixture.ts';

const fx = useBrowser();

describe('viewport observer', () => {
  it('records size, device pixel ratio and scroll at start and after a resize, top frame only', async () => {
    const context = await fx.browser.newContext({ viewport: { width: 800, height: 600 }, deviceScaleFactor: 2 });
    const page = await context.newPage();
    const rec = await attachRecorder(page, { scrollThrottleMs: 20 });
    await page.goto(`${fx.samples}signup/`);
    await page.evaluate(() => window.scrollTo(0, 50));
    await page.setViewportSize({ width: 640, height: 480 });
    await page.waitForFunction(() => window.innerWidth === 640);
    const events = await rec.stop();
    checkInvariants(events);
    const vps = ofType(events, 'viewport');
    expect(vps[0]).toMatchObject({ width: 800, height: 600, dpr: 2, scrollX: 0, scrollY: 0 });
    expect(vps.at(-1)).toMatchObject({ width: 640, height: 480, dpr: 2, scrollY: 50 });
    // One per resize burst, and none from the iframe.
    expect(vps.length).toBeLessThanOrEqual(3);
    await context.close();
  });
});
