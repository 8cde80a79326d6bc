import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { attachRecorder } from './playwright.ts';
import { checkInvariants, FORCE, ofType, useBrowser } from './testing/fixture.ts';

const fx = useBrowser();

/** Names in Chromium's accessibility tree (which, unlike page scripts, sees into closed shadow roots). */
async function accessibleNames(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  await cdp.detach();
  return nodes.map((n) => String(n.name?.value ?? '')).filter(Boolean);
}

// Each test has its own page: they run side by side in the file's browser.
describe.concurrent('recording badge', () => {
  it('shows in the top frame only, in a closed shadow root, and toggles pause when clicked', async () => {
    const page = await fx.page();
    const rec = await attachRecorder(page, { badge: true });
    await page.goto(`${fx.samples}signup/`);
    const badge = page.locator('lockstep-badge');
    await badge.waitFor();
    expect(await badge.evaluate((el) => el.shadowRoot === null && el.parentElement === document.documentElement)).toBe(true);
    expect(await page.frameLocator('#newsletter').locator('lockstep-badge').count()).toBe(0);
    expect(await accessibleNames(page)).toContain('Lockstep is recording. Click to pause.');
    const box = await badge.boundingBox();
    expect(box && box.x > 500 && box.y > 500).toBe(true); // bottom right of the 1000×700 viewport

    await badge.click(FORCE);
    await rec.flush();
    expect(rec.paused).toBe(true);
    expect(await accessibleNames(page)).toContain('Lockstep recording paused. Click to resume.');
    await page.click('#username', FORCE);
    await page.keyboard.type('secret while paused');
    await badge.click(FORCE);
    await rec.flush();
    expect(rec.paused).toBe(false);
    // The badge's button has focus now: keys go to it and are not recorded.
    await page.keyboard.press('Backspace');
    await page.click('#username', FORCE);
    await page.keyboard.press('Backspace');

    const events = await rec.stop();
    checkInvariants(events);
    expect(ofType(events, 'marker').map((m) => `${m.kind}:${m.reason ?? ''}`)).toEqual(['start:', 'pause:badge', 'resume:badge', 'stop:']);
    // Nothing that happened on the badge itself is recorded.
    expect(JSON.stringify(events)).not.toContain('lockstep-badge');
    expect(ofType(events, 'pointer').filter((p) => p.kind !== 'move' && p.target?.selector !== '#username')).toEqual([]);
    expect(ofType(events, 'key').map((k) => `${k.kind} ${k.key} ${k.target?.selector}`)).toEqual(['down Backspace #username', 'up Backspace #username']);
    expect(ofType(events, 'input').map((i) => i.masked)).toEqual([true]); // the field holds text typed while paused
    // The badge goes away with the recording.
    expect(await badge.count()).toBe(0);
    await page.close();
  });

  it('is absent unless asked for', async () => {
    const page = await fx.page();
    const rec = await attachRecorder(page);
    await page.goto(`${fx.samples}signup/`);
    expect(await page.locator('lockstep-badge').count()).toBe(0);
    await rec.stop();
    await page.close();
  });
});
