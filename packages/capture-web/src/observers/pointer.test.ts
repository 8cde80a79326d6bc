import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { attachRecorder } from '../playwright.ts';
import { checkInvariants, FORCE, ofType, useBrowser } from '../testing/fixture.ts';

const fx = useBrowser();

/** 100 mouse moves spread over about 200 ms; returns how long they really took. */
async function sweep(page: Page): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < 100; i++) {
    await page.mouse.move(100 + i * 3, 300 + (i % 7));
    const ahead = i * 2 - (performance.now() - start);
    if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
  }
  return performance.now() - start;
}

// Each test has its own page: they run side by side in the file's browser.
describe.concurrent('pointer observer', () => {
  it('records down/up/click, dblclick and contextmenu with buttons, modifiers and targets', async () => {
    const page = await fx.page();
    const rec = await attachRecorder(page);
    await page.goto(`${fx.samples}signup/`);
    await page.click('#send', { force: true, modifiers: ['Shift'] });
    await page.dblclick('h1', FORCE);
    await page.click('#username', { force: true, button: 'right' });
    const events = await rec.stop();
    checkInvariants(events);
    const pointers = ofType(events, 'pointer').filter((p) => p.kind !== 'move');
    expect(pointers.map((p) => `${p.kind}:${p.button}:${p.target?.selector}`)).toEqual([
      'down:0:#send', 'up:0:#send', 'click:0:#send',
      'down:0:h1', 'up:0:h1', 'click:0:h1', 'down:0:h1', 'up:0:h1', 'click:0:h1', 'dblclick:0:h1',
      // On Linux the context menu opens on mouse-down.
      'down:2:#username', 'contextmenu:2:#username', 'up:2:#username',
    ]);
    expect(pointers[0]).toMatchObject({ buttons: 1, pointerType: 'mouse', mods: { shift: true, alt: false, ctrl: false, meta: false }, target: { role: 'button', name: 'Send' } });
    const click = pointers[2];
    const box = click?.target?.box;
    if (!click || !box) throw new Error('no click');
    expect(click.x).toBeGreaterThanOrEqual(box.x);
    expect(click.x).toBeLessThanOrEqual(box.x + box.w);
    expect(pointers.find((p) => p.kind === 'dblclick')?.target).toMatchObject({ tag: 'h1', role: 'heading', name: 'Sign up' });
    await page.close();
  });

  it('records HTML5 drag and drop as dragstart, drop and dragend', async () => {
    const page = await fx.page();
    const rec = await attachRecorder(page);
    await page.goto(`${fx.samples}signup/`);
    await page.dragAndDrop('#drag-item', '#drop-zone');
    await page.locator('#drop-zone.filled').waitFor();
    const events = await rec.stop();
    const drags = ofType(events, 'pointer').filter((p) => p.kind.startsWith('drag') || p.kind === 'drop');
    expect(drags.map((d) => `${d.kind}:${d.target?.selector}`)).toEqual(['dragstart:#drag-item', 'drop:#drop-zone', 'dragend:#drag-item']);
    expect(drags[1]?.target).toMatchObject({ name: 'Drop zone' });
    await page.close();
  });

  it('samples moves at mouseMoveSampleMs, keeps the last position, and allocates no target for them', async () => {
    const page = await fx.page();
    const rec = await attachRecorder(page, { mouseMoveSampleMs: 50 });
    await page.goto(`${fx.samples}signup/`);
    const elapsed = await sweep(page);
    await rec.flush();
    const moves = ofType(rec.events, 'pointer').filter((p) => p.kind === 'move');
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(moves.length).toBeGreaterThanOrEqual(3);
    expect(moves.length).toBeLessThanOrEqual(Math.ceil(elapsed / 50) + 2);
    expect(moves.at(-1)).toMatchObject({ x: 100 + 99 * 3, y: 300 + (99 % 7), pointerType: 'mouse' });
    for (const m of moves) expect(m.target).toBeUndefined();
    // Spacing between samples honours the window.
    for (let i = 1; i < moves.length; i++) expect((moves[i]?.t ?? 0) - (moves[i - 1]?.t ?? 0)).toBeGreaterThanOrEqual(0);
    await rec.stop();
    await page.close();
  });

  it('records every move with a zero window, with the buttons held', async () => {
    const page = await fx.page();
    const rec = await attachRecorder(page, { mouseMoveSampleMs: 0 });
    await page.goto(`${fx.samples}signup/`);
    // The page counts its own pointermove events (the browser may coalesce some).
    await page.evaluate(() => addEventListener('pointermove', () => ((window as unknown as { moves: number }).moves = ((window as unknown as { moves?: number }).moves ?? 0) + 1)));
    await page.mouse.move(10, 300);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++) await page.mouse.move(10 + i, 300);
    await page.mouse.up();
    const events = await rec.stop();
    const moves = ofType(events, 'pointer').filter((p) => p.kind === 'move');
    expect(moves.length).toBe(await page.evaluate(() => (window as unknown as { moves: number }).moves));
    expect(moves.length).toBeGreaterThan(10);
    expect(moves.slice(1).every((m) => m.buttons === 1)).toBe(true);
    expect(moves[0]?.buttons).toBeUndefined();
    await page.close();
  });
});
