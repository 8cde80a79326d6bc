/**
 * Acceptance for on-device redaction of keystroke streams (issue 3), in real Chromium against
 * the real server: secrets and a card number typed key by key with a typo fixed by Backspace,
 * pasted through the clipboard, and typed across a pause that spans several upload batches must
 * not appear in any upload request body nor in the server's data directory, in any form, while
 * the ordinary words around them do; the owner reads the masked values back.
 * Also: fail closed — a redactor that cannot be built or throws stops text capture, says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomInt, webcrypto } from 'node:crypto';
import type { CaptureEvent } from '@lockstep/schema';
import { byteForms, findPlaintext } from '@lockstep/server';
import { newId } from '@lockstep/schema';
import { attachRecorder } from './playwright.ts';
import { Uploader } from './uploader.ts';
import { checkInvariants, FORCE, ofType, sleep, useBrowser } from './testing/fixture.ts';
import { provision, startTestServer, type TestServer } from '../../server/src/testing/harness.ts';

const fx = useBrowser();

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const pick = (alphabet: string, n: number): string => Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');

/** A Luhn-valid 16-digit Visa number, random per run. */
function cardNumber(): string {
  const digits = [4, ...Array.from({ length: 14 }, () => randomInt(10))];
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    let d = digits[14 - i]!;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  digits.push((10 - (sum % 10)) % 10);
  return digits.join('').replace(/(\d{4})(?=\d)/g, '$1 ');
}

const AWS_KEY = `AKIA${pick(UPPER, 16)}`;
const CARD = cardNumber();
const PASTED = `ghp_${pick(ALNUM, 36)}`;
const SLOW = `ghp_${pick(ALNUM, 36)}`;
const EMAIL = `ada.${pick('abcdefghijklmnopqrstuvwxyz', 8)}@example.com`;
const WORDS = ['Deploy', 'checklist', 'rotate', 'tomorrow', 'invoice', 'thanks'];

/** Every form a secret could leak in: whole, its distinctive 8-character pieces, card digits with and without separators. */
function forms(secret: string): string[] {
  const out = new Set<string>([secret]);
  const digits = secret.replace(/\D/g, '');
  if (/^[\d -]+$/.test(secret)) {
    out.add(digits);
    out.add(digits.replace(/(\d{4})(?=\d)/g, '$1-'));
    for (let i = 0; i + 8 <= digits.length; i++) out.add(digits.slice(i, i + 8));
  } else {
    for (let i = 0; i + 8 <= secret.length; i++) {
      const part = secret.slice(i, i + 8);
      if (/[A-Za-z]/.test(part) && /[0-9A-Z]/.test(part) && part !== 'example.') out.add(part);
    }
  }
  return [...out].filter((p) => !/^[a-z.@]+$/.test(p) || p === secret);
}

describe('redaction of keystroke streams, end to end', () => {
  let srv: TestServer;
  const bodies: string[] = [];
  let session: string;
  let subjectToken: string;
  let recorded: CaptureEvent[];
  let batchesBeforeSlowEnd = 0;
  let batchesAfterSlowStart = 0;

  beforeAll(async () => {
    srv = await startTestServer();
    const who = await provision(srv);
    subjectToken = who.subject.token;
    session = newId('ses', (b) => webcrypto.getRandomValues(b));
    const uploader = new Uploader({
      server: srv.server.url,
      token: who.device.token,
      device: who.device.id,
      session,
      flushIntervalMs: 200,
      fetch: async (input, init) => {
        if (typeof init?.body === 'string') bodies.push(init.body);
        return fetch(input, init);
      },
    });
    const context = await fx.browser.newContext({ viewport: { width: 1000, height: 700 } });
    const page = await context.newPage();
    const origin = new URL(fx.samples).origin;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    const rec = await attachRecorder(page, { flushIntervalMs: 500, onEvents: (e) => uploader.push(e) });
    await page.goto(`${fx.samples}notes/`);

    await page.click('#subject', FORCE);
    await page.keyboard.type('Deploy checklist', { delay: 10 });
    await page.click('#notes', FORCE);
    // An AWS key typed key by key, with a typo fixed by Backspace in the middle.
    await page.keyboard.type('rotate key ', { delay: 10 });
    await page.keyboard.type(AWS_KEY.slice(0, 9), { delay: 15 });
    await page.keyboard.type('Q', { delay: 15 });
    await page.keyboard.press('Backspace');
    await page.keyboard.type(AWS_KEY.slice(9), { delay: 15 });
    // A card number, with a typo in the middle of a group.
    await page.keyboard.type(' tomorrow, invoice card ', { delay: 10 });
    await page.keyboard.type(CARD.slice(0, 7), { delay: 15 });
    await page.keyboard.type('8', { delay: 15 });
    await page.keyboard.press('Backspace');
    await page.keyboard.type(CARD.slice(7), { delay: 15 });
    // A token pasted from the clipboard (a real paste: inputType insertFromPaste).
    await page.keyboard.type(' pasted ', { delay: 10 });
    await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(PASTED)})`);
    await page.keyboard.press('Control+V');
    // A token typed across a pause of more than two flush intervals: it spans batches.
    await page.keyboard.type(' slow ', { delay: 10 });
    await page.keyboard.type(SLOW.slice(0, 20), { delay: 15 });
    batchesAfterSlowStart = bodies.length;
    await sleep(1600);
    await page.keyboard.type(SLOW.slice(20), { delay: 15 });
    batchesBeforeSlowEnd = bodies.length;
    await page.keyboard.type(` mail ${EMAIL} thanks`, { delay: 10 });
    await page.click('#save', FORCE);
    recorded = await rec.stop();
    await uploader.close();
    await context.close();
  });

  afterAll(async () => {
    await srv?.cleanup();
  });

  it('records a valid session and the pause really spanned batches', () => {
    checkInvariants(recorded);
    expect(bodies.length).toBeGreaterThan(1);
    // Uploads were flowing before the slow token began (the subject field, released on blur), and
    // its pause (1.6 s) is longer than two flush intervals (2 × 500 ms): a recorder that sent
    // each flush's events as they were would have split the token across batches.
    expect(batchesAfterSlowStart).toBeGreaterThanOrEqual(1);
    expect(batchesBeforeSlowEnd).toBeGreaterThanOrEqual(batchesAfterSlowStart);
    const paste = ofType(recorded, 'input').find((e) => e.inputType === 'insertFromPaste');
    expect(paste, 'a real paste reached the recorder').toBeDefined();
  });

  it('lets no secret out in any upload request body, in any form', () => {
    const all = bodies.join('\n');
    for (const secret of [AWS_KEY, CARD, PASTED, SLOW, EMAIL]) {
      for (const form of forms(secret)) expect(all.includes(form), `${secret}: ${form}`).toBe(false);
      for (const [name, bytes] of byteForms(secret)) expect(Buffer.from(all).includes(bytes), `${secret} as ${name}`).toBe(false);
    }
    // The typo characters typed inside the secrets are not revealed by their keys either.
    const keys = bodies.flatMap((b) => (JSON.parse(b) as { events: CaptureEvent[] }).events).filter((e) => e.type === 'key');
    expect(keys.some((k) => k.char === 'Q' || k.key === 'Q' || k.char === '8' || k.key === '8')).toBe(false);
    // …while the ordinary words around them are there.
    for (const w of WORDS) expect(all, w).toContain(w);
  });

  it('keeps no secret in the data directory', () => {
    const texts = [AWS_KEY, CARD, PASTED, SLOW, EMAIL].flatMap(forms);
    expect(findPlaintext(srv.dataDir, texts)).toEqual([]);
  });

  it('gives the owner masked values with their redaction spans, and masked keys', async () => {
    const res = await srv.api.call<{ events: CaptureEvent[] }>('GET', `/v1/sessions/${session}`, { token: subjectToken });
    expect(res.status).toBe(200);
    const events = res.body.events;
    const notes = ofType(events, 'input').filter((e) => e.target.selector === '#notes');
    const last = notes.at(-1)!;
    const shape = (s: string) => s.replace(/[A-Z]/g, 'X').replace(/[a-z]/g, 'x').replace(/[0-9]/g, '9');
    expect(last.value).toBe(`rotate key ${shape(AWS_KEY)} tomorrow, invoice card ${shape(CARD)} pasted ${shape(PASTED)} slow ${shape(SLOW)} mail ${shape(EMAIL)} thanks`);
    // Every secret's span is listed as masked (a token caught part-typed, by another detector,
    // may show as two adjacent spans of different kinds).
    const kinds = new Set(last.redactions?.map((r) => r.kind));
    for (const k of ['aws-access-key-id', 'card-number', 'github-token', 'email']) expect(kinds.has(k), k).toBe(true);
    for (const secret of [AWS_KEY, CARD, PASTED, SLOW, EMAIL]) {
      const at = last.value!.indexOf(shape(secret));
      for (let i = at; i < at + secret.length; i++) expect(last.redactions!.some((r) => r.start <= i && i < r.end), `${secret}@${i}`).toBe(true);
    }
    const redactedKeys = ofType(events, 'key').filter((k) => k.redacted);
    expect(redactedKeys.length).toBeGreaterThan(2 * (AWS_KEY.length + CARD.length));
    for (const k of redactedKeys) expect(k.code).toBeUndefined();
    expect(ofType(events, 'input').find((e) => e.target.selector === '#subject' && e.value === 'Deploy checklist')).toBeDefined();
  });
});

describe('redaction fails closed', () => {
  for (const fault of ['create', 'find'] as const) {
    it(`stops capturing text when the redactor ${fault === 'create' ? 'cannot be built' : 'throws'}, and says so`, async () => {
      const page = await fx.page();
      const failures: string[] = [];
      const rec = await attachRecorder(page, { redactionFault: fault, badge: true, onRedactionFailed: (r) => failures.push(r) });
      await page.goto(`${fx.samples}notes/`);
      await page.click('#notes', FORCE);
      await page.keyboard.type(`card ${CARD} and ${EMAIL} plain words`, { delay: 5 });
      await page.click('#subject', FORCE);
      await page.keyboard.type('more words', { delay: 5 });
      const badge = await page.evaluate(`document.querySelector('lockstep-badge') !== null`);
      const events = await rec.stop();
      checkInvariants(events);
      const json = JSON.stringify(events);
      for (const w of ['card', 'plain', 'words', 'more', CARD.slice(0, 4), 'example']) expect(json).not.toContain(w);
      for (const k of ofType(events, 'key')) expect(k.char).toBeUndefined();
      for (const i of ofType(events, 'input')) expect(i.value).toBeUndefined();
      expect(ofType(events, 'input').length).toBeGreaterThan(0);
      const marker = ofType(events, 'marker').find((m) => m.kind === 'redaction-failed');
      expect(marker?.reason).toBeTruthy();
      expect(failures.length).toBeGreaterThan(0);
      expect(rec.redactionFailed).toBe(failures[0]);
      expect(badge).toBe(true);
      await page.close();
    });
  }
});

