import { describe, expect, it } from 'vitest';
import { attachRecorder } from '../playwright.ts';
import { checkInvariants, FORCE, ofType, useBrowser } from '../testing/fixture.ts';

const fx = useBrowser();

describe('focus observer', () => {
  it('records focus and blur as focus moves, including into a frame', async () => {
    const page = await fx.page();
    const rec = await attachRecorder(page);
    await page.goto(`${fx.samples}signup/`);
    await page.click('#username', FORCE);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.frameLocator('#newsletter').locator('#email').focus();
    const events = await rec.stop();
    checkInvariants(events);
    const focus = ofType(events, 'focus').map((f) => `${f.kind} ${f.target.selector}${f.target.frame ? ` ${f.target.frame.join('.')}` : ''}`);
    expect(focus).toEqual(['focus #username', 'blur #username', 'focus #password', 'blur #password', 'focus #message', 'blur #message', 'focus #email 0']);
    expect(ofType(events, 'focus')[2]?.target).toMatchObject({ masked: true, name: 'Password' });
    await page.close();
  });
});
