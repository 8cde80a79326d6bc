import { describe, expect, it } from 'vitest';
import { attachRecorder } from '../playwright.ts';
import { checkInvariants, FORCE, ofType, useBrowser } from '../testing/fixture.ts';

const fx = useBrowser();

// Each test has its own page: they run side by side in the file's browser.
describe.concurrent('keyboard observer', () => {
  it('records key, code, char, modifiers and repeat', async () => {
    const page = await fx.page();
    const rec = await attachRecorder(page);
    await page.goto(`${fx.samples}signup/`);
    await page.click('#message', FORCE);
    await page.keyboard.type('A!');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.down('x');
    await page.keyboard.down('x'); // held: auto-repeat
    await page.keyboard.up('x');
    await page.keyboard.press('Shift+Tab');
    const events = await rec.stop();
    checkInvariants(events);
    const downs = ofType(events, 'key').filter((k) => k.kind === 'down');
    const fmt = downs.map((k) => [k.key, k.code ?? null, k.char ?? null, Object.entries(k.mods).filter(([, v]) => v).map(([m]) => m).join('+'), k.repeat ?? false]);
    expect(fmt).toEqual([
      ['A', 'KeyA', 'A', '', false],
      ['!', 'Digit1', '!', '', false],
      ['Enter', 'Enter', null, '', false],
      ['Control', 'ControlLeft', null, 'ctrl', false],
      ['A', 'KeyA', null, 'ctrl', false], // no char while Control is held
      ['ArrowLeft', 'ArrowLeft', null, '', false],
      ['x', 'KeyX', 'x', '', false],
      ['x', 'KeyX', 'x', '', true],
      ['Shift', 'ShiftLeft', null, 'shift', false],
      ['Tab', 'Tab', null, 'shift', false],
    ]);
    for (const k of downs) expect(k.target?.selector).toBe('#message');
    expect(ofType(events, 'key').filter((k) => k.kind === 'up' && k.char !== undefined)).toEqual([]);
    await page.close();
  });

  it('on masked fields keeps named keys, hides printable ones and drops modifier keys', async () => {
    const page = await fx.page();
    const rec = await attachRecorder(page);
    await page.goto(`${fx.samples}signup/`);
    await page.click('#password', FORCE);
    await page.keyboard.type('pA');
    await page.keyboard.press('Shift+KeyQ');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    const events = await rec.stop();
    // Enter submits the form, whose validation moves focus to the empty user name: the Enter
    // key-up lands there. Everything typed lands on the password field.
    const all = ofType(events, 'key');
    const keys = all.filter((k) => k.target?.selector === '#password');
    expect(all.filter((k) => !keys.includes(k)).map((k) => [k.kind, k.key])).toEqual([['up', 'Enter']]);
    expect(keys.filter((k) => k.kind === 'down').map((k) => k.key)).toEqual(['Unidentified', 'Unidentified', 'Unidentified', 'Backspace', 'ArrowLeft', 'Enter']);
    for (const k of keys) {
      expect(k).toMatchObject({ masked: true, target: { selector: '#password', masked: true } });
      expect(k.code).toBeUndefined();
      expect(k.char).toBeUndefined();
      if (k.key === 'Unidentified') expect(k.mods).toEqual({ alt: false, ctrl: false, meta: false, shift: false });
    }
    expect(JSON.stringify(events)).not.toMatch(/"(p|A|Q|KeyQ|Shift)"/);
    await page.close();
  });
});
