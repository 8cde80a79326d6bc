import { describe, expect, it } from 'vitest';
import type { CaptureEvent } from '@lockstep/schema';
import { attachRecorder } from './playwright.ts';
import { checkInvariants, FORCE, ofType, useBrowser } from './testing/fixture.ts';
import { leaks } from './testing/secrets.ts';

const fx = useBrowser();

const PASSWORD = 'Tr0ub4dor&3xq';
const CARD = '4929 8276 5530 3387';
const SECRET = 'Zq9!vQx-Wp7';
const NOTE = 'Blk#Hj5wQz7Yv';
const MESSAGE = 'Hello there,\nsee you soon';

const onTarget = (events: readonly CaptureEvent[], selector: string) => events.filter((e) => 'target' in e && e.target?.selector === selector);

// Each test has its own page: they run side by side in the file's browser.
describe.concurrent('attachRecorder on the sample sign-up app', () => {
  it('records a sign-up in order, with targets, values, navigation, and no secrets', async () => {
    const page = await fx.page();
    const slices: CaptureEvent[][] = [];
    const rec = await attachRecorder(page, { onEvents: (e) => slices.push(e) });
    await page.goto(`${fx.samples}signup/`);

    await page.click('#username', FORCE);
    await page.keyboard.type('ada_lovelace');
    await page.click('#password', FORCE);
    await page.keyboard.type(PASSWORD);
    await page.click('#message', FORCE);
    await page.keyboard.type(MESSAGE);
    await page.selectOption('#plan', 'team');
    await page.click('#card', FORCE);
    await page.keyboard.type(CARD);
    await page.click('#secret', FORCE);
    await page.keyboard.type(SECRET);
    await page.click('#notes', FORCE);
    await page.keyboard.type(NOTE);
    await page.click('#reveal', FORCE);
    await page.click('#remember', FORCE);
    await page.click('#send', FORCE);
    await page.locator('#confirmation').waitFor();
    await page.click('a[href="#help"]', FORCE);
    await page.waitForFunction(() => location.hash === '#help');
    await rec.flush();
    expect(rec.events.at(-1)?.type).not.toBe('marker');
    const events = await rec.stop();

    checkInvariants(events);
    expect(events.at(-1)).toMatchObject({ type: 'marker', kind: 'stop' });
    expect(rec.invalid).toBe(0);
    expect(slices.flat()).toEqual(events);
    expect(rec.events).toEqual(events);

    // Start: viewport and load.
    expect(ofType(events, 'viewport')[0]).toMatchObject({ width: 1000, height: 700, dpr: 1, scrollX: 0, scrollY: 0 });
    const navs = ofType(events, 'navigation');
    expect(navs.find((n) => n.kind === 'load' && !n.frame)).toMatchObject({ url: `${fx.samples}signup/`, title: 'Sign up — Lockstep sample' });
    expect(navs.find((n) => n.kind === 'push')).toMatchObject({ url: `${fx.samples}signup/#/sent`, title: 'Sent — Lockstep sample' });
    expect(navs.find((n) => n.kind === 'hash')).toMatchObject({ url: `${fx.samples}signup/#help` });

    // The user name: targets, characters in order, the exact value.
    const user = onTarget(events, '#username');
    expect(user[0]).toMatchObject({ target: { tag: 'input', role: 'textbox', name: 'User name', id: 'username', selector: '#username' } });
    expect(user.some((e) => e.type === 'focus' && e.kind === 'focus')).toBe(true);
    expect(user.some((e) => e.type === 'focus' && e.kind === 'blur')).toBe(true);
    expect(
      ofType(user, 'key')
        .filter((k) => k.kind === 'down')
        .map((k) => k.char)
        .join(''),
    ).toBe('ada_lovelace');
    expect(ofType(user, 'input').at(-1)).toMatchObject({ value: 'ada_lovelace', inputType: 'insertText' });
    const keyUser = ofType(user, 'key')[0];
    expect(keyUser).toMatchObject({ kind: 'down', key: 'a', code: 'KeyA', char: 'a', mods: { alt: false, ctrl: false, meta: false, shift: false } });

    // The message (with a line break) and the plan.
    expect(ofType(onTarget(events, '#message'), 'input').at(-1)).toMatchObject({ value: MESSAGE, target: { role: 'textbox', name: 'Message' } });
    expect(ofType(onTarget(events, '#plan'), 'input')).toEqual([expect.objectContaining({ value: 'team', target: expect.objectContaining({ role: 'combobox', name: 'Plan' }) })]);
    expect(ofType(onTarget(events, '#remember'), 'input')).toEqual([expect.objectContaining({ checked: true, target: expect.objectContaining({ role: 'checkbox', name: 'Remember me' }) })]);

    // Masked fields: keys without content, input without value, target flagged.
    for (const selector of ['#password', '#card', '#secret']) {
      const on = onTarget(events, selector);
      expect(on.length, selector).toBeGreaterThan(10);
      for (const e of on) expect(e, selector).toMatchObject({ target: { masked: true } });
      for (const k of ofType(on, 'key')) {
        expect(k.masked).toBe(true);
        expect(k.code).toBeUndefined();
        expect(k.char).toBeUndefined();
        expect(k.key).toBe('Unidentified');
      }
      const inputs = ofType(on, 'input');
      expect(inputs.length).toBeGreaterThan(5);
      for (const i of inputs) {
        expect(i.masked).toBe(true);
        expect(i.value).toBeUndefined();
      }
    }
    expect(onTarget(events, '#password')[0]).toMatchObject({ target: { name: 'Password', role: 'textbox' } });

    // The block: every event there is reported against the block itself.
    expect(onTarget(events, '#notes')).toEqual([]);
    expect(onTarget(events, '#reveal')).toEqual([]);
    const block = onTarget(events, '#private');
    expect(block.filter((e) => e.type === 'key').length).toBeGreaterThan(10);
    expect(block.some((e) => e.type === 'pointer' && e.kind === 'click')).toBe(true);
    for (const e of block) expect(e).toMatchObject({ target: { tag: 'section', name: 'Private notes', masked: true } });

    // No trace of any secret anywhere.
    const json = JSON.stringify(events);
    expect(leaks(events, PASSWORD)).toEqual([]);
    expect(leaks(events, CARD)).toEqual([]);
    expect(leaks(events, SECRET)).toEqual([]);
    expect(leaks(events, NOTE)).toEqual([]);
    expect(json).not.toMatch(/balance|Confidential|Reveal/);

    // Send: a click on the button, then the push.
    const sendClick = events.findIndex((e) => e.type === 'pointer' && e.kind === 'click' && e.target?.selector === '#send');
    const push = events.findIndex((e) => e.type === 'navigation' && e.kind === 'push');
    expect(sendClick).toBeGreaterThan(0);
    expect(push).toBeGreaterThan(sendClick);
    await page.close();
  });

  it('records the iframe field with its frame path and a box in top-viewport pixels', async () => {
    const page = await fx.page();
    await page.goto(`${fx.samples}signup/`);
    // Attached after load: the recorder is evaluated into the existing frames.
    const rec = await attachRecorder(page);
    const email = page.frameLocator('#newsletter').locator('#email');
    await email.click(FORCE);
    await page.keyboard.type('news@example.org');
    const expected = await page.evaluate(() => {
      const iframe = document.getElementById('newsletter') as HTMLIFrameElement;
      const r = iframe.getBoundingClientRect();
      const s = getComputedStyle(iframe);
      const inner = (iframe.contentDocument?.getElementById('email') as HTMLElement).getBoundingClientRect();
      return { x: r.left + iframe.clientLeft + parseFloat(s.paddingLeft) + inner.left, y: r.top + iframe.clientTop + parseFloat(s.paddingTop) + inner.top };
    });
    const events = await rec.stop();
    checkInvariants(events);
    const onEmail = onTarget(events, '#email');
    expect(onEmail.length).toBeGreaterThan(20);
    for (const e of onEmail) expect(e).toMatchObject({ target: { frame: [0], name: 'Email', role: 'textbox' } });
    const last = ofType(onEmail, 'input').at(-1);
    // An email address is personal data: redacted on the device, in the shape style.
    expect(last?.value).toBe('xxxx@xxxxxxx.xxx');
    expect(last?.redactions).toEqual([{ start: 0, end: 16, kind: 'email', family: 'pii' }]);
    expect(last?.target.box?.x).toBeCloseTo(expected.x, 0);
    expect(last?.target.box?.y).toBeCloseTo(expected.y, 0);
    expect(expected.x).toBeGreaterThan(20);
    // The click position is in top-viewport pixels too.
    const click = ofType(onEmail, 'pointer').find((p) => p.kind === 'click');
    const box = last?.target.box;
    if (!click || !box) throw new Error('no click on the email field');
    expect(click.x).toBeGreaterThanOrEqual(box.x);
    expect(click.x).toBeLessThanOrEqual(box.x + box.w);
    expect(click.y).toBeGreaterThanOrEqual(box.y);
    expect(click.y).toBeLessThanOrEqual(box.y + box.h);
    // Both documents announced themselves.
    expect(ofType(events, 'navigation').filter((n) => n.kind === 'load').map((n) => n.frame ?? null)).toEqual(expect.arrayContaining([null, [0]]));
    await page.close();
  });

  it('pauses from the host: nothing typed while paused is recorded, markers are', async () => {
    const page = await fx.page();
    const rec = await attachRecorder(page);
    await page.goto(`${fx.samples}signup/`);
    await page.click('#username', FORCE);
    await page.keyboard.type('abc');
    await rec.pause();
    expect(rec.paused).toBe(true);
    expect(rec.events.at(-1)).toMatchObject({ type: 'marker', kind: 'pause', reason: 'host' });
    await page.keyboard.type('QWX');
    await page.click('#message', FORCE);
    await page.keyboard.type('paused words');
    await page.click('#username', FORCE);
    await rec.resume();
    expect(rec.paused).toBe(false);
    await page.keyboard.type('def');
    const events = await rec.stop();
    checkInvariants(events);
    const markers = ofType(events, 'marker').map((m) => [m.kind, m.reason ?? null]);
    expect(markers).toEqual([
      ['start', null],
      ['pause', 'host'],
      ['resume', 'host'],
      ['stop', null],
    ]);
    expect(JSON.stringify(events)).not.toMatch(/QWX|paused words|#message/);
    expect(ofType(events, 'key').filter((k) => ['Q', 'W', 'X'].includes(k.key))).toEqual([]);
    expect(ofType(events, 'key').filter((k) => k.kind === 'down').map((k) => k.char).join('')).toBe('abcdef');
    // The field now holds text typed during the pause, so its value is withheld.
    const inputs = ofType(events, 'input');
    expect(inputs.map((i) => i.value ?? null)).toEqual(['a', 'ab', 'abc', null, null, null]);
    expect(inputs.slice(3).every((i) => i.masked)).toBe(true);
    await page.close();
  });

  it('installs once per document, even when evaluated twice', async () => {
    const page = await fx.page();
    const rec = await attachRecorder(page);
    await page.goto(`${fx.samples}signup/`);
    const { recorderScript } = await import('./bundle.ts');
    await page.evaluate(await recorderScript());
    await page.click('#username', FORCE);
    await page.keyboard.type('x');
    const events = await rec.stop();
    expect(ofType(events, 'key').length).toBe(2);
    expect(ofType(events, 'navigation').filter((n) => n.kind === 'load' && !n.frame)).toHaveLength(1);
    await page.close();
  });

  it('stops cleanly: detaches, and later events are not recorded', async () => {
    const page = await fx.page();
    const rec = await attachRecorder(page);
    await page.goto(`${fx.samples}signup/`);
    const events = await rec.stop();
    expect(await rec.stop()).toEqual(events);
    await page.click('#username', FORCE);
    await page.keyboard.type('after');
    await page.reload();
    await page.click('#username', FORCE);
    await page.keyboard.type('after');
    expect(rec.events).toHaveLength(events.length);
    expect(await page.evaluate(() => '__lockstep' in window || '__lockstepEmit' in window)).toBe(false);
    // A new recording can start on the same page.
    const again = await attachRecorder(page);
    await page.keyboard.type('!');
    const second = await again.stop();
    checkInvariants(second);
    expect(ofType(second, 'input').at(-1)?.value).toBe('after!');
    await page.close();
  });
});

describe('attachRecorder across frames', () => {
  it('orders events by when they happened, not by which frame flushed first', async () => {
    const page = await fx.page();
    const rec = await attachRecorder(page, { flushIntervalMs: 2000 });
    await page.goto(`${fx.samples}signup/`);
    const frame = page.frames().find((f) => f.url().endsWith('frame.html'))!;
    await frame.click('input', FORCE); // buffered in the frame, which flushes in 2 s
    await page.click('#username', FORCE);
    await page.keyboard.type('abc');
    // The top document hands over its events at once; the frame's click is still held there.
    await page.evaluate((name) => (window as unknown as Record<string, { flush(): unknown }>)[name]!.flush(), '__lockstep');
    const events = await rec.stop();
    checkInvariants(events);
    const frameClick = events.findIndex((e) => e.type === 'pointer' && e.kind === 'click' && e.target?.frame?.[0] === 0);
    const topTyping = events.findIndex((e) => e.type === 'key' && e.target?.selector === '#username');
    expect(frameClick).toBeGreaterThan(0);
    expect(topTyping).toBeGreaterThan(0);
    expect(frameClick).toBeLessThan(topTyping);
  });
});
