import { describe, expect, it } from 'vitest';
import { attachRecorder } from './playwright.ts';
import { checkInvariants, FORCE, ofType, routePages, sleep, useBrowser } from './testing/fixture.ts';

const fx = useBrowser();

const SHORTCUT = 'Alt+Shift+KeyP';

// Each test has its own page: they run side by side in the file's browser.
describe.concurrent('in-page recorder', () => {
  it('pauses and resumes with Alt+Shift+P; the shortcut keys and anything typed while paused are not recorded', async () => {
    const page = await fx.page();
    const rec = await attachRecorder(page);
    await page.goto(`${fx.samples}signup/`);
    await page.click('#message', FORCE);
    await page.keyboard.type('one ');
    await page.keyboard.press(SHORTCUT);
    await page.keyboard.type('hidden words');
    await page.keyboard.press(SHORTCUT);
    await page.keyboard.type('Two');
    // The shortcut did not type anything into the page.
    expect(await page.inputValue('#message')).toBe('one hidden wordsTwo');
    const events = await rec.stop();
    checkInvariants(events);
    expect(ofType(events, 'marker').map((m) => `${m.kind}:${m.reason ?? ''}`)).toEqual(['start:', 'pause:shortcut', 'resume:shortcut', 'stop:']);
    const keys = ofType(events, 'key');
    expect(keys.filter((k) => k.code === 'KeyP' || k.key === 'Alt')).toEqual([]);
    // Shift is recorded only for the capital T, typed after the resume.
    expect(keys.filter((k) => k.kind === 'down').map((k) => k.char ?? k.key).join('')).toBe('one Two');
    expect(JSON.stringify(events)).not.toMatch(/hidden|words/);
    expect(rec.paused).toBe(false);
    await page.close();
  });

  it('a Shift or Alt press that is not the shortcut is still recorded, in order', async () => {
    const page = await fx.page();
    const rec = await attachRecorder(page);
    await page.goto(`${fx.samples}signup/`);
    await page.click('#username', FORCE);
    await page.keyboard.down('Shift');
    await page.keyboard.press('KeyA');
    await page.keyboard.up('Shift');
    await page.keyboard.press('Alt');
    const events = await rec.stop();
    const keys = ofType(events, 'key').map((k) => `${k.kind} ${k.key}${k.mods.shift ? ' +shift' : ''}`);
    expect(keys).toEqual(['down Shift +shift', 'down A +shift', 'up A +shift', 'up Shift', 'down Alt', 'up Alt']);
    await page.close();
  });

  it('a shortcut pressed in a frame pauses every frame', async () => {
    const page = await fx.page();
    const rec = await attachRecorder(page);
    await page.goto(`${fx.samples}signup/`);
    await page.frameLocator('#newsletter').locator('#email').click(FORCE);
    await page.keyboard.press(SHORTCUT);
    await rec.flush(); // also waits until the pause is mirrored into the other frames
    expect(rec.paused).toBe(true);
    await page.click('#username', FORCE);
    await page.keyboard.type('nope');
    await page.frameLocator('#newsletter').locator('#email').click(FORCE);
    await page.keyboard.press(SHORTCUT);
    await page.keyboard.type('yes');
    const events = await rec.stop();
    checkInvariants(events);
    expect(ofType(events, 'marker').map((m) => `${m.kind}:${m.reason ?? ''}`)).toEqual(['start:', 'pause:shortcut', 'resume:shortcut', 'stop:']);
    expect(events.filter((e) => 'target' in e && e.target?.selector === '#username')).toEqual([]);
    expect(ofType(events, 'input').at(-1)).toMatchObject({ value: 'yes', target: { selector: '#email', frame: [0] } });
    await page.close();
  });

  it('stays paused across a navigation, and keeps events from before it', async () => {
    const page = await fx.page();
    const rec = await attachRecorder(page, { flushIntervalMs: 10_000 });
    await page.goto(`${fx.samples}signup/`);
    await page.click('#username', FORCE);
    await page.keyboard.type('kept');
    // No timer flush for 10 s: only the unload handlers can hand these events over.
    await page.goto(`${fx.samples}signup/frame.html`);
    await rec.pause();
    await page.goto(`${fx.samples}signup/`);
    await page.click('#username', FORCE);
    await page.keyboard.type('dropped');
    expect(rec.paused).toBe(true);
    await rec.resume();
    await page.keyboard.type('!');
    const events = await rec.stop();
    checkInvariants(events);
    // The last value is withheld: the field holds text typed during the pause.
    expect(ofType(events, 'input').map((i) => i.value ?? null)).toEqual(['k', 'ke', 'kep', 'kept', null]);
    expect(JSON.stringify(events)).not.toMatch(/dropped|drop/);
    expect(ofType(events, 'navigation').filter((n) => !n.frame).map((n) => n.url.replace(fx.samples, ''))).toEqual(['signup/', 'signup/frame.html']);
    expect(ofType(events, 'key').filter((k) => k.kind === 'down').map((k) => k.key).join('')).toBe('kept!');
    await page.close();
  });

  it('hands over a full buffer at once, without waiting for the timer', async () => {
    const page = await fx.page();
    const rec = await attachRecorder(page, { flushIntervalMs: 60_000, flushAtEvents: 10 });
    await page.goto(`${fx.samples}signup/`);
    await page.click('#username', FORCE);
    // The trailing space closes the word, so the redaction buffer lets the field's events go
    // after its quiet period (1.5 s) without a blur.
    await page.keyboard.type('abcdefghij ');
    // 30+ events in batches of 10: they arrive long before the 60 s timer.
    await expect.poll(() => rec.events.length, { timeout: 5000 }).toBeGreaterThanOrEqual(30);
    await rec.stop();
    await page.close();
  });

  it('a routine flush from the host masks a half-typed token instead of letting it out; stop lets a last word go', async () => {
    const page = await fx.page();
    const rec = await attachRecorder(page);
    await page.goto(`${fx.samples}signup/`);
    await page.click('#message', FORCE);
    await page.keyboard.type('my token sk_live_4eC39Hq');
    await rec.flush(); // not the end of the text: the person may type on
    const json = JSON.stringify(rec.events);
    expect(json).not.toContain('4eC39');
    const flushed = ofType(rec.events, 'input').at(-1)!;
    expect(flushed.value).toBe('my token xx_xxxx_9xX99Xx');
    expect(flushed.redactions).toEqual([{ start: 9, end: 24, kind: 'unsettled', family: 'secret' }]);
    await page.keyboard.type(' and more word');
    const events = await rec.stop(); // the end: the last word goes as typed
    checkInvariants(events);
    expect(ofType(events, 'input').at(-1)!.value).toBe('my token xx_xxxx_9xX99Xx and more word');
    expect(JSON.stringify(events)).not.toContain('4eC39');
    await page.close();
  });

  it('records nothing from a frame inside a block', async () => {
    const page = await fx.page();
    await routePages(page, {
      '/': '<!doctype html><input id="top"><div data-lockstep-block aria-label="Chat"><iframe src="/chat"></iframe></div>',
      '/chat': '<!doctype html><input id="msg">',
    });
    const rec = await attachRecorder(page);
    await page.goto('http://lockstep.test/');
    await page.frameLocator('iframe').locator('#msg').click(FORCE);
    await page.keyboard.type('private chat');
    await page.click('#top', FORCE);
    const events = await rec.stop();
    checkInvariants(events);
    expect(JSON.stringify(events)).not.toMatch(/private|chat|"frame"/);
    expect(events.some((e) => 'target' in e && e.target?.selector === '#top')).toBe(true);
    await page.close();
  });

  it('never throws into the page and leaves page behaviour alone', async () => {
    const page = await fx.page();
    await routePages(page, {
      '/': `<input id="a"><script>
        window.seen = [];
        for (const t of ['keydown', 'click', 'input', 'wheel', 'contextmenu'])
          document.addEventListener(t, (e) => window.seen.push(t + ':' + e.defaultPrevented));
        window.errors = [];
        window.addEventListener('error', (e) => window.errors.push(String(e.message)));
      </script>`,
    });
    const rec = await attachRecorder(page);
    await page.goto('http://lockstep.test/');
    await page.click('#a', FORCE);
    await page.keyboard.type('z');
    await page.mouse.wheel(0, 10);
    await page.click('#a', { force: true, button: 'right' });
    // Events whose shape the recorder cannot describe must not break it.
    await page.evaluate(() => {
      document.dispatchEvent(new KeyboardEvent('keydown'));
      document.dispatchEvent(new Event('input'));
      window.dispatchEvent(new Event('scroll'));
    });
    await sleep(150);
    const events = await rec.stop();
    checkInvariants(events);
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen.filter((s) => s.endsWith(':true'))).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { errors: string[] }).errors)).toEqual([]);
    expect(await page.inputValue('#a')).toBe('z');
    expect(rec.invalid).toBe(0);
    await page.close();
  });
});
