import { describe, expect, it } from 'vitest';
import { attachRecorder } from '../playwright.ts';
import { checkInvariants, ofType, useBrowser } from '../testing/fixture.ts';

const fx = useBrowser();

describe('wheel observer', () => {
  it('records real wheel input with position, target and modifiers; no distance is lost', async () => {
    const page = await fx.page();
    const rec = await attachRecorder(page, { scrollThrottleMs: 100 });
    await page.goto(`${fx.samples}signup/`);
    const list = page.locator('#activity');
    await list.scrollIntoViewIfNeeded();
    const box = await list.boundingBox();
    if (!box) throw new Error('no list');
    await page.mouse.move(box.x + 40, box.y + 30);
    for (let i = 0; i < 6; i++) await page.mouse.wheel(0, 40);
    await page.keyboard.down('Control'); // modifiers travel with the wheel event
    await page.mouse.wheel(0, -10);
    await page.keyboard.up('Control');
    const events = await rec.stop();
    checkInvariants(events);
    const wheels = ofType(events, 'wheel');
    expect(wheels.length).toBeGreaterThanOrEqual(2);
    expect(wheels.length).toBeLessThanOrEqual(7);
    expect(wheels.filter((w) => !w.mods?.ctrl).reduce((s, w) => s + w.dy, 0)).toBe(240);
    expect(wheels.filter((w) => w.mods?.ctrl).reduce((s, w) => s + w.dy, 0)).toBe(-10);
    for (const w of wheels) {
      expect(w).toMatchObject({ mode: 0, dx: 0, target: { tag: 'li' } });
      expect(w.x).toBeCloseTo(box.x + 40, 0);
      expect(w.y).toBeCloseTo(box.y + 30, 0);
    }
    await page.close();
  });

  it('folds a burst on one element into one event, and splits on another element or modifier', async () => {
    const page = await fx.page();
    const rec = await attachRecorder(page, { scrollThrottleMs: 100 });
    await page.goto(`${fx.samples}signup/`);
    // One synchronous burst: well inside one window whatever the machine's load.
    await page.evaluate(() => {
      const fire = (sel: string, dy: number, ctrlKey = false) =>
        document.querySelector(sel)?.dispatchEvent(new WheelEvent('wheel', { deltaY: dy, deltaX: 1, clientX: 5, clientY: 6, bubbles: true, ctrlKey }));
      for (let i = 0; i < 10; i++) fire('#message', 12);
      fire('#message', 5, true);
      fire('#username', 7);
      fire('#username', 8);
    });
    const events = await rec.stop();
    expect(ofType(events, 'wheel').map((w) => [w.target?.selector, w.dx, w.dy, w.mods?.ctrl])).toEqual([
      ['#message', 10, 120, false],
      ['#message', 1, 5, true],
      ['#username', 2, 15, false],
    ]);
    await page.close();
  });
});
