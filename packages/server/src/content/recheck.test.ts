import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaptureEvent, type KeyEvent, type InputEvent, makeBatch } from '@lockstep/schema';
import { createRedactor, isMaskedShape } from '@lockstep/redact';
import { findPlaintext } from '../leak-scan.ts';
import { type TestServer, provision, sessionId, startTestServer } from '../testing/harness.ts';
import { recheckBatch } from './recheck.ts';

const redactor = createRedactor({ style: 'shape' });

const GITHUB = 'ghp_' + 'R8xq2LmVb7Tn4Kp0Zs9Wd3Hc6Yf1Ju5Ea2Gi';
const CARD = '4111 1111 1111 1111';
const EMAIL = 'dana.reyes@example.org';

const field = { tag: 'textarea', selector: '#notes' } as const;
const other = { tag: 'input', selector: '#title' } as const;
const NO_MODS = { alt: false, ctrl: false, meta: false, shift: false };

let seq = 0;
const input = (value: string, target: { tag: string; selector: string } = field, extra: Partial<InputEvent> = {}): CaptureEvent =>
  ({ type: 'input', seq: seq++, t: seq, value, target, ...extra }) as CaptureEvent;
const key = (k: string, target: { tag: string; selector: string } = field, extra: Partial<KeyEvent> = {}): CaptureEvent => {
  const printable = [...k].length === 1;
  return { type: 'key', kind: 'down', seq: seq++, t: seq, key: k, mods: NO_MODS, target, ...(printable ? { char: k, code: 'KeyA' } : {}), ...extra } as CaptureEvent;
};
/** The key and input events of typing `text` one character at a time into an empty field. */
const typing = (text: string, target: { tag: string; selector: string } = field): CaptureEvent[] =>
  [...text].flatMap((c, i) => [key(c, target), input(text.slice(0, i + 1), target, { inputType: 'insertText' })]);

const json = (events: readonly CaptureEvent[]) => JSON.stringify(events);

describe('recheckBatch', () => {
  it('passes a clean batch through untouched, as the same array', () => {
    const events = typing('lunch at noon, then the quarterly review');
    const result = recheckBatch(events, redactor);
    expect(result.events).toBe(events);
    expect(result.remasked).toEqual({});
  });

  it('masks a secret and an email the device typed in clear, in every value and every key, counting each finding once', () => {
    const text = `deploy with ${GITHUB} and mail ${EMAIL} after`;
    const events = typing(text);
    const result = recheckBatch(events, redactor);
    const out = json(result.events);
    expect(out).not.toContain(GITHUB.slice(4, 16));
    expect(out).not.toContain('dana.reyes');
    expect(out).toContain('deploy with');
    expect(out).toContain('after');
    expect(result.remasked).toMatchObject({ email: expect.any(Number) });
    // Keys that typed a finding carry no code and say what they were part of.
    const keys = result.events.filter((e): e is KeyEvent => e.type === 'key' && e.redacted !== undefined);
    expect(keys.length).toBeGreaterThanOrEqual(GITHUB.length + EMAIL.length);
    for (const k of keys) {
      expect(k.code).toBeUndefined();
      expect(isMaskedShape(k.char ?? '')).toBe(true);
    }
    // The last value keeps its length and lists its masked spans.
    const last = result.events.at(-1) as InputEvent;
    expect(last.value).toHaveLength(text.length);
    expect(last.redactions?.map((r) => r.family).sort()).toEqual(['pii', 'secret']);
    // One count per finding in the final text, however many keys and values carried it.
    const total = Object.values(result.remasked).reduce((a, b) => a + b, 0);
    expect(total).toBeLessThan(events.length / 4);
  });

  it('does not count spans the device already masked', () => {
    const masked = `card ${CARD.replace(/\d/g, '9')} mail ${EMAIL.replace(/[a-z]/g, 'x')}`;
    const events = [input(masked, field, { redactions: [{ start: 5, end: 24, kind: 'card-number', family: 'pii' }] })];
    const result = recheckBatch(events, redactor);
    expect(result.remasked).toEqual({});
    expect(result.events).toBe(events);
  });

  it('keeps masking a finding in the unchanged part of a long field while only the edit is scanned again', () => {
    const head = `token ${GITHUB} `;
    const filler = 'lorem ipsum dolor sit amet '.repeat(Math.ceil((3 * 4096) / 27));
    const events = [input(head + filler), input(head + filler + 'x'), input(head + filler + 'xy')];
    const result = recheckBatch(events, redactor);
    for (const e of result.events) expect((e as InputEvent).value).not.toContain(GITHUB.slice(4));
    expect(json(result.events)).toContain('lorem ipsum');
  });

  it('catches a card typed with a typo fixed by Backspace', () => {
    const digits = CARD.replace(/ /g, '');
    const events = [...[...digits.slice(0, 8)].map((c) => key(c)), key('7'), key('Backspace'), ...[...digits.slice(8)].map((c) => key(c))];
    const result = recheckBatch(events, redactor);
    const chars = result.events.filter((e): e is KeyEvent => e.type === 'key' && e.char !== undefined).map((e) => e.char).join('');
    expect(chars).not.toContain('4111');
    expect(result.remasked['card-number']).toBe(1);
  });

  it('keeps the typing of two fields apart', () => {
    const events = [...typing('hello '), ...typing('world', other), ...typing('hello there')];
    expect(recheckBatch(events, redactor).events).toBe(events);
  });

  it('masks URLs, titles and accessible names', () => {
    const events: CaptureEvent[] = [
      { type: 'navigation', seq: seq++, t: seq, kind: 'load', url: `https://app.example.com/reset?token=${GITHUB}`, title: `Inbox of ${EMAIL}` } as CaptureEvent,
      { type: 'pointer', seq: seq++, t: seq, kind: 'click', x: 1, y: 1, target: { tag: 'a', selector: '#me', name: `Signed in as ${EMAIL}` } } as CaptureEvent,
    ];
    const result = recheckBatch(events, redactor);
    const out = json(result.events);
    expect(out).not.toContain(GITHUB.slice(4, 16));
    expect(out).not.toContain('dana.reyes');
    expect(out).toContain('Signed in as');
    expect(Object.values(result.remasked).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(3);
  });

  it('masks desktop window titles, keeping the app and the rest of the title', () => {
    const sent = `Inbox - ${EMAIL} - Mozilla Thunderbird`;
    const window = { type: 'window', seq: seq++, t: seq, app: 'thunderbird', title: sent, bounds: { x: 0, y: 0, w: 800, h: 600 } } as CaptureEvent;
    const clean = { type: 'window', seq: seq++, t: seq, app: 'xterm', title: 'ticket-7 — bash', bounds: { x: 0, y: 0, w: 800, h: 600 } } as CaptureEvent;
    const result = recheckBatch([window, clean], redactor);
    expect(result.events[0]).toMatchObject({ type: 'window', app: 'thunderbird' });
    const title = (result.events[0] as { title: string }).title;
    expect(title).not.toContain('dana.reyes');
    expect(title).toMatch(/^Inbox - .+ - Mozilla Thunderbird$/);
    expect(title).toHaveLength(sent.length);
    expect(result.events[1]).toBe(clean);
    expect(result.remasked).toEqual({ email: 1 });
  });

  it('re-masks a span the device claims to have masked but sent in clear', () => {
    const value = `key ${GITHUB}`;
    const events = [input(value, field, { redactions: [{ start: 4, end: value.length, kind: 'github-token', family: 'secret' }] })];
    const result = recheckBatch(events, redactor);
    expect(json(result.events)).not.toContain(GITHUB.slice(4, 16));
    expect(Object.keys(result.remasked)).toHaveLength(1);
  });
});

describe("the server's second check over HTTP", () => {
  let t: TestServer;
  let people: Awaited<ReturnType<typeof provision>>;
  beforeAll(async () => {
    t = await startTestServer();
    people = await provision(t);
  });
  afterAll(() => t.cleanup());

  it('catches a batch forged with an unredacted secret: masks it, says so in the receipt and the session, and keeps no plaintext', async () => {
    const ses = sessionId();
    const events = typing(`aws and github: ${GITHUB} card ${CARD} ok`).map((e, i) => ({ ...e, seq: i, t: i * 10 }));
    const res = await t.api.call<{ remasked?: Record<string, number> }>('POST', '/v1/batches', { token: people.device.token, body: makeBatch(people.device.id, ses, 0, events) });
    expect(res.status).toBe(201);
    expect(res.body.remasked).toBeDefined();
    expect(Object.keys(res.body.remasked ?? {}).length).toBeGreaterThanOrEqual(2);

    const read = await t.api.call<{ events: CaptureEvent[]; session: { remasked: Record<string, number> } }>('GET', `/v1/sessions/${ses}`, { token: people.subject.token });
    expect(read.body.session.remasked).toEqual(res.body.remasked);
    const stored = json(read.body.events);
    expect(stored).not.toContain(GITHUB.slice(4, 16));
    expect(stored).not.toContain('4111');
    expect(stored).toContain('aws and github');

    expect(findPlaintext(t.dataDir, [GITHUB, GITHUB.slice(4, 20), CARD, CARD.replace(/ /g, '')])).toEqual([]);
  });
});
