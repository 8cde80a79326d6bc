import { describe, expect, it } from 'vitest';
import type { UnsequencedEvent } from '@lockstep/schema';
import { closedAt, createStreamRedactor, diff, openToken } from './stream.ts';
import type { StreamRedactor } from './stream.ts';
import type { Finding, Redactor } from './types.ts';

type Ev = UnsequencedEvent;
type KeyEv = Extract<Ev, { type: 'key' }>;
type InputEv = Extract<Ev, { type: 'input' }>;

/** A small stand-in for the real detectors: emails, Luhn-valid card numbers, sk_live_ keys. */
function fakeRedactor(): Redactor {
  const luhn = (digits: string): boolean => {
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      let d = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    return sum % 10 === 0;
  };
  const find = (text: string): Finding[] => {
    const out: Finding[] = [];
    for (const m of text.matchAll(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g)) out.push({ start: m.index, end: m.index + m[0].length, kind: 'email', family: 'pii' });
    for (const m of text.matchAll(/(?<![\d])\d(?:[ -]?\d){12,18}(?!\d)/g)) {
      if (luhn(m[0].replace(/\D/g, ''))) out.push({ start: m.index, end: m.index + m[0].length, kind: 'card-number', family: 'pii' });
    }
    for (const m of text.matchAll(/sk_live_[A-Za-z0-9]{16,}/g)) out.push({ start: m.index, end: m.index + m[0].length, kind: 'stripe-key', family: 'secret' });
    return out.sort((a, b) => a.start - b.start);
  };
  const mask = (text: string, findings = find(text)): string => {
    let out = '';
    let last = 0;
    for (const f of findings) {
      out += text.slice(last, f.start) + [...text.slice(f.start, f.end)].map((c) => (/\d/.test(c) ? '9' : /[a-z]/.test(c) ? 'x' : /[A-Z]/.test(c) ? 'X' : c)).join('');
      last = f.end;
    }
    return out + text.slice(last);
  };
  return { find, mask };
}

const MODS = { alt: false, ctrl: false, meta: false, shift: false };
const target = { tag: 'textarea', selector: '#notes' };
const target2 = { tag: 'input', selector: '#other' };

/** A simulated field: typing produces keydown, input, keyup like a browser does. */
class Sim {
  out: Ev[] = [];
  clock = 0;
  s: StreamRedactor;
  value = new Map<unknown, string>();
  caret = new Map<unknown, number>();
  /** Idle work after each keystroke: units of work() per keystroke (0: none). */
  idleUnits = 0;
  constructor(opts: { redactor?: Redactor; quietMs?: number; maxHeldEvents?: number; onFailure?: (r: string) => void; sliceMs?: number; fullAfterMs?: number; idleUnits?: number } = {}) {
    this.idleUnits = opts.idleUnits ?? 0;
    this.s = createStreamRedactor({
      redactor: opts.redactor ?? fakeRedactor(),
      release: (e) => this.out.push(e),
      now: () => this.clock,
      timer: () => 0, // slice budgets measured in units, not time: deterministic
      ...(opts.quietMs ? { quietMs: opts.quietMs } : {}),
      ...(opts.maxHeldEvents ? { maxHeldEvents: opts.maxHeldEvents } : {}),
      ...(opts.onFailure ? { onFailure: opts.onFailure } : {}),
      ...(opts.sliceMs !== undefined ? { sliceMs: opts.sliceMs } : {}),
      ...(opts.fullAfterMs !== undefined ? { fullAfterMs: opts.fullAfterMs } : {}),
    });
  }
  /** An idle callback that gets through `units` units of work (one per work() call at timeLeft 0). */
  idle(units = Infinity): void {
    for (let i = 0; i < units && this.s.pending; i++) this.s.work(() => 0);
  }
  private t(field: unknown) {
    return field === 'b' ? target2 : target;
  }
  private setValue(field: unknown, v: string, inputType: string): void {
    this.value.set(field, v);
    this.s.push({ type: 'input', value: v, inputType, target: this.t(field) }, { field });
  }
  key(field: unknown, key: string, char?: string): void {
    const code = key.length === 1 ? `Key${key.toUpperCase()}` : key;
    const down: KeyEv = { type: 'key', kind: 'down', key, code, mods: MODS, target: this.t(field) };
    if (char !== undefined) down.char = char;
    this.s.push(down, { field });
    const v = this.value.get(field) ?? '';
    const c = this.caret.get(field) ?? v.length;
    if (char !== undefined) {
      this.caret.set(field, c + char.length);
      this.setValue(field, v.slice(0, c) + char + v.slice(c), 'insertText');
    } else if (key === 'Backspace' && c > 0) {
      this.caret.set(field, c - 1);
      this.setValue(field, v.slice(0, c - 1) + v.slice(c), 'deleteContentBackward');
    } else if (key === 'ArrowLeft') this.caret.set(field, Math.max(0, c - 1));
    else if (key === 'ArrowRight') this.caret.set(field, Math.min(v.length, c + 1));
    else if (key === 'End') this.caret.set(field, v.length);
    this.s.push({ type: 'key', kind: 'up', key, code, mods: MODS, target: this.t(field) }, { field });
    this.clock += 30;
    if (this.idleUnits > 0) this.idle(this.idleUnits);
  }
  type(field: unknown, text: string, gapMs = 30): void {
    for (const ch of text) {
      this.key(field, ch === ' ' ? ' ' : ch, ch);
      this.clock += gapMs - 30;
    }
  }
  paste(field: unknown, text: string): void {
    const v = this.value.get(field) ?? '';
    const c = this.caret.get(field) ?? v.length;
    this.caret.set(field, c + text.length);
    this.setValue(field, v.slice(0, c) + text + v.slice(c), 'insertFromPaste');
  }
  replace(field: unknown, v: string, inputType: string): void {
    this.caret.set(field, v.length);
    this.setValue(field, v, inputType);
  }
  wait(ms: number): void {
    this.clock += ms;
    this.s.tick();
  }
  json(): string {
    return JSON.stringify(this.out);
  }
  inputs(): InputEv[] {
    return this.out.filter((e): e is InputEv => e.type === 'input');
  }
  keys(): KeyEv[] {
    return this.out.filter((e): e is KeyEv => e.type === 'key');
  }
}

const CARD = '4111 1111 1111 1111';
const KEY = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';

/** No 6-character piece of the secret (ignoring separators for digits) in any output. */
function expectNoLeak(sim: Sim, secret: string): void {
  const json = sim.json();
  const chars = sim.keys().filter((k) => k.kind === 'down' && k.char).map((k) => k.char).join('');
  for (const hay of [json, chars]) {
    for (let i = 0; i + 6 <= secret.length; i++) expect(hay, secret.slice(i, i + 6)).not.toContain(secret.slice(i, i + 6));
    const digits = secret.replace(/\D/g, '');
    for (let i = 0; i + 6 <= digits.length; i++) expect(hay.replace(/[^\d]/g, ' ')).not.toContain(digits.slice(i, i + 6));
  }
}

describe('diff', () => {
  it('finds the edit between two values', () => {
    expect(diff('abc', 'abcd')).toEqual({ at: 3, del: 0, ins: 1 });
    expect(diff('abcd', 'abd')).toEqual({ at: 2, del: 1, ins: 0 });
    expect(diff('hello world', 'hello brave world')).toEqual({ at: 6, del: 0, ins: 6 });
    expect(diff('x'.repeat(300) + 'a', 'x'.repeat(300) + 'b')).toEqual({ at: 300, del: 1, ins: 1 });
    expect(diff('', '')).toEqual({ at: 0, del: 0, ins: 0 });
  });
  it('tells open tokens from closed ones', () => {
    expect(closedAt('hello ', 6)).toBe(true);
    expect(closedAt('hello', 5)).toBe(false);
    expect(closedAt('card 4111 ', 10)).toBe(false);
    expect(closedAt('card 4111\n', 10)).toBe(true);
    expect(openToken('pay 4111 1111 22', 16)).toEqual([4, 16]);
    expect(openToken('pay with abc', 12)).toEqual([9, 12]);
  });
});

describe('stream redaction', () => {
  it('masks a secret typed key by key, in values and in keys, and keeps the rest', () => {
    const sim = new Sim();
    sim.type('a', `my key is ${KEY} thanks`);
    sim.s.leave('a');
    expectNoLeak(sim, KEY);
    const last = sim.inputs().at(-1)!;
    expect(last.value).toBe(`my key is ${fakeRedactor().mask(KEY)} thanks`);
    expect(last.redactions).toEqual([{ start: 10, end: 10 + KEY.length, kind: 'stripe-key', family: 'secret' }]);
    const downs = sim.keys().filter((k) => k.kind === 'down');
    expect(downs.slice(0, 10).map((k) => k.char).join('')).toBe('my key is ');
    const red = downs.filter((k) => k.redacted);
    expect(red.length).toBe(KEY.length);
    for (const k of red) {
      expect(k.code).toBeUndefined();
      expect(k.redacted).toEqual({ kind: 'stripe-key', family: 'secret' });
    }
    // key-ups are masked with their key-downs
    const ups = sim.keys().filter((k) => k.kind === 'up' && k.redacted);
    expect(ups.length).toBe(KEY.length);
    expect(sim.json()).toContain('thanks');
  });

  it('holds a secret typed slowly across pauses, and catches a typo fixed inside it', () => {
    const sim = new Sim({ quietMs: 1500 });
    sim.type('a', 'card ');
    sim.type('a', '4111 11', 200);
    sim.wait(3000); // long pause mid-card: the open digits keep it held
    expect(sim.json()).not.toContain('4111');
    sim.type('a', '7');
    sim.key('a', 'Backspace');
    sim.type('a', '11 1111 1111 ok ', 400);
    sim.wait(3000);
    expect(sim.s.held).toBe(0); // settled on the quiet period: the text ends in a closed word
    expectNoLeak(sim, CARD);
    expect(sim.inputs().at(-1)!.value).toBe('card 9999 9999 9999 9999 ok ');
    // the typo 7, typed inside the card number and deleted, is masked too
    expect(sim.keys().some((k) => k.char === '7' || k.key === '7')).toBe(false);
    expect(sim.inputs().some((i) => i.value?.includes('7'))).toBe(false);
  });

  it('catches a finding that existed only in an intermediate value', () => {
    const sim = new Sim();
    sim.type('a', `x ${CARD.replace(/ /g, '')}`);
    sim.type('a', '9'); // 17 digits: no longer a card number
    sim.s.leave('a');
    expectNoLeak(sim, CARD);
    const sim2 = new Sim();
    sim2.type('a', `mail bob@example.com`);
    for (let i = 0; i < 'bob@example.com'.length; i++) sim2.key('a', 'Backspace');
    sim2.type('a', 'later');
    sim2.s.flush();
    expect(sim2.json()).not.toContain('example');
    expect(sim2.inputs().at(-1)!.value).toBe('mail later');
  });

  it('handles cursor moves and inserts in the middle', () => {
    const sim = new Sim();
    sim.type('a', 'sk_live_4eC39HqLyjWDarjtT1zdp7d tail');
    for (let i = 0; i < 5; i++) sim.key('a', 'ArrowLeft');
    sim.type('a', 'c'); // completes the key in the middle of the text
    sim.s.leave('a');
    expectNoLeak(sim, KEY);
    expect(sim.inputs().at(-1)!.value).toMatch(/^xx_xxxx_\S+ tail$/);
  });

  it('masks pasted secrets and autocompleted values, and selection replace', () => {
    const sim = new Sim();
    sim.type('a', 'token: ');
    sim.paste('a', KEY);
    sim.type('a', ' and ');
    sim.replace('a', `token: ${KEY} and bob@example.com`, 'insertReplacementText');
    sim.replace('a', `token: ${KEY} and `, 'deleteContentBackward'); // select + delete
    sim.s.leave('a');
    expectNoLeak(sim, KEY);
    expect(sim.json()).not.toContain('bob@');
    const paste = sim.inputs().find((i) => i.inputType === 'insertFromPaste')!;
    expect(paste.redactions?.[0]).toMatchObject({ kind: 'stripe-key' });
  });

  it('handles IME-like composition (values without key characters)', () => {
    const sim = new Sim();
    sim.type('a', 'mail ');
    for (const part of ['b', 'bo', 'bob', 'bob@', 'bob@example.com']) sim.replace('a', `mail ${part}`, 'insertCompositionText');
    sim.s.leave('a');
    expect(sim.json()).not.toContain('bob');
    expect(sim.inputs().at(-1)!.value).toBe('mail xxx@xxxxxxx.xxx');
  });

  it('releases a cleared field and keeps order across two interleaved fields and other events', () => {
    const sim = new Sim();
    sim.type('a', 'alpha ');
    sim.s.push({ type: 'pointer', kind: 'click', x: 1, y: 1 });
    sim.type('b', 'beta bob@example.com');
    sim.type('a', 'gamma');
    expect(sim.out.length).toBe(0); // all held behind field a
    sim.s.leave('a');
    // a is settled, but b is still held and sits before a's later events
    const firstB = sim.out.findIndex((e) => e.type === 'input' && e.target.selector === '#other');
    expect(firstB).toBe(-1);
    sim.replace('b', '', 'deleteContentBackward');
    sim.s.leave('b');
    expect(sim.s.held).toBe(0);
    expect(sim.json()).not.toContain('bob');
    const order = sim.out.map((e) => (e.type === 'input' ? e.value : e.type === 'pointer' ? 'CLICK' : null)).filter((v) => v !== null);
    expect(order.indexOf('alpha ')).toBeLessThan(order.indexOf('CLICK'));
    expect(order.indexOf('CLICK')).toBeLessThan(order.indexOf('b'));
    expect(order.at(-1)).toBe('');
  });

  it('masks the open token when a cap forces a release', () => {
    const sim = new Sim({ maxHeldEvents: 40 });
    sim.type('a', 'hello sk_live_4eC39Hq'); // 21 keys × 3 events > 40
    expect(sim.out.length).toBeGreaterThan(0);
    expect(sim.json()).not.toContain('4eC39');
    const masked = sim.inputs().find((i) => i.redactions?.some((r) => r.kind === 'unsettled'));
    expect(masked).toBeDefined();
    expect(sim.json()).toContain('hello');
  });

  it('asks for its next check at a time still ahead while a field it will not settle when quiet is held', () => {
    const sim = new Sim();
    sim.type('a', 'hello wor'); // ends in an open token: not settled when quiet
    for (let i = 0; i < 10; i++) {
      sim.wait(1000);
      const next = sim.s.nextCheck()!;
      expect(next, `after ${i + 1} s`).toBeGreaterThan(sim.clock);
    }
    expect(sim.out.length).toBe(0);
    sim.type('a', 'ld ');
    sim.wait(1600);
    expect(sim.json()).toContain('world');
  });

  it('forgets a settled field on request, and keeps one whose events are still held', () => {
    const sim = new Sim();
    const keys = (field: string, text: string) => {
      for (const ch of text) {
        sim.s.push({ type: 'key', kind: 'down', key: ch, code: 'KeyX', char: ch, mods: MODS }, { field, keysOnly: true });
        sim.s.push({ type: 'key', kind: 'up', key: ch, code: 'KeyX', mods: MODS }, { field, keysOnly: true });
      }
    };
    keys('line-1', `export TOKEN=${KEY.slice(0, 12)}`);
    expect(sim.s.forget('line-1')).toBe(false); // held
    sim.s.leave('line-1');
    expect(sim.s.forget('line-1')).toBe(true);
    expect(sim.s.forget('never-seen')).toBe(true);
    // Typed again under the same key, the field starts from nothing: the earlier text is gone.
    keys('line-1', `${KEY.slice(12)} `);
    sim.s.flush();
    const after = sim.keys().filter((k) => k.kind === 'down').slice(-KEY.slice(12).length - 1);
    expect(after.length).toBe(KEY.slice(12).length + 1);
  });

  it('settles a keys-only field (typing on a non-editable element)', () => {
    const sim = new Sim();
    for (const ch of `go ${KEY}`) {
      sim.s.push({ type: 'key', kind: 'down', key: ch, code: 'KeyX', char: ch, mods: MODS }, { field: 'loose', keysOnly: true });
      sim.s.push({ type: 'key', kind: 'up', key: ch, code: 'KeyX', mods: MODS }, { field: 'loose', keysOnly: true });
    }
    sim.s.flush();
    expectNoLeak(sim, KEY);
    expect(sim.keys().slice(0, 6).map((k) => k.key).join('')).toBe('ggoo  ');
  });

  it('fails closed: a throwing redactor strips every text and says so', () => {
    const reasons: string[] = [];
    const broken: Redactor = {
      find: () => {
        throw new TypeError('boom');
      },
      mask: (t) => t,
    };
    const sim = new Sim({ redactor: broken, onFailure: (r) => reasons.push(r) });
    sim.type('a', `secret ${KEY}`);
    sim.s.leave('a');
    sim.type('a', ' more');
    sim.s.flush();
    expect(reasons).toEqual(['TypeError']);
    expect(sim.json()).not.toContain('secret');
    expect(sim.json()).not.toContain('more');
    for (const i of sim.inputs()) expect(i).toMatchObject({ masked: true });
    for (const k of sim.keys()) expect(k.char).toBeUndefined();
    expect(sim.s.failed).toBe(true);
  });

  it('passes events of masked fields and non-fields straight through when nothing is held', () => {
    const sim = new Sim();
    sim.s.push({ type: 'pointer', kind: 'move', x: 1, y: 1 });
    sim.s.push({ type: 'input', masked: true, target }, { field: 'pw' });
    expect(sim.out.length).toBe(2);
  });
});

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A typing script over two fields: words, secrets, typos, cursor moves, pastes, pauses, leaves. */
function script(seed: number): Array<(sim: Sim) => void> {
  const rnd = prng(seed);
  const words = ['hello', 'card', 'ok', 'notes', CARD, `${CARD.replace(/ /g, '')}9`, KEY, 'bob@example.com', 'ada@ex.org', '4111', 'sk_live_'];
  const steps: Array<(sim: Sim) => void> = [];
  for (let i = 0; i < 40; i++) {
    const field = rnd() < 0.8 ? 'a' : 'b';
    const r = rnd();
    const w = words[Math.floor(rnd() * words.length)]!;
    if (r < 0.45) steps.push((sim) => sim.type(field, `${w} `));
    else if (r < 0.55) steps.push((sim) => sim.type(field, w)); // left open
    else if (r < 0.65) steps.push((sim) => sim.key(field, 'Backspace'));
    else if (r < 0.7) steps.push((sim) => sim.key(field, 'ArrowLeft'));
    else if (r < 0.75) steps.push((sim) => sim.key(field, 'End'));
    else if (r < 0.8) steps.push((sim) => sim.paste(field, w));
    else if (r < 0.88) {
      const ms = rnd() < 0.5 ? 600 : 2000;
      steps.push((sim) => sim.wait(ms));
    }
    else steps.push((sim) => sim.s.leave(field));
  }
  steps.push((sim) => sim.s.flush());
  return steps;
}

describe('detection in idle time and sliced settles', () => {
  it('gives the same output whether detection runs at settle, in idle time, or in slices', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const maxHeldEvents = 100_000; // hold caps settle at different points when settles are deferred
      const sync = new Sim({ maxHeldEvents });
      // Idle detection with settles at once: the same windows and passes, only earlier.
      const idle = new Sim({ maxHeldEvents, idleUnits: 2, fullAfterMs: 1_000_000 });
      const lazy = new Sim({ maxHeldEvents, idleUnits: 1, fullAfterMs: 1_000_000 });
      // Sliced settles (nothing fits: all left to idle time), and whole-text passes on quiet values too.
      const sliced = new Sim({ maxHeldEvents, idleUnits: 1, sliceMs: 0, fullAfterMs: 1_000_000 });
      const eager = new Sim({ maxHeldEvents, idleUnits: 1_000, sliceMs: 0, fullAfterMs: 0 });
      const all = [sync, idle, lazy, sliced, eager];
      for (const step of script(seed)) for (const sim of all) step(sim);
      for (const sim of all) {
        expect(sim.s.held, `seed ${seed}`).toBe(0);
        expect(sim.s.pending).toBe(false);
      }
      const firstDiff = (sim: Sim) => {
        const i = sim.out.findIndex((e, k) => JSON.stringify(e) !== JSON.stringify(sync.out[k]));
        return i < 0 ? null : { i, got: sim.out[i], want: sync.out[i] };
      };
      expect(firstDiff(idle), `seed ${seed}`).toBeNull();
      expect(firstDiff(lazy), `seed ${seed}`).toBeNull();
      // A deferred settle may merge with the field's next hold (typed in again before idle time
      // came), and quiet values get whole-text passes too: that can only add taints. Every
      // position masked in the settle-time output is masked in theirs, every key masked too.
      const covered = (e: Ev | undefined): Set<number> => {
        const out = new Set<number>();
        if (e?.type === 'input') for (const r of e.redactions ?? []) for (let i = r.start; i < r.end; i++) out.add(i);
        return out;
      };
      for (const sim of [sliced, eager]) {
        expect(sim.out.map((e) => e.type)).toEqual(sync.out.map((e) => e.type));
        const weaker: string[] = [];
        sync.out.forEach((e, k) => {
          const o = sim.out[k]!;
          const mine = covered(o);
          for (const i of covered(e)) if (!mine.has(i)) weaker.push(`event ${k} @${i}`);
          if (e.type === 'key' && e.redacted && !(o as KeyEv).redacted) weaker.push(`key ${k}`);
          if (e.type === 'input' && (o as InputEv).value?.length !== e.value?.length) weaker.push(`value ${k}`);
        });
        expect(weaker, `seed ${seed}`).toEqual([]);
      }
    }
  });

  it('defers a left field to work() when its settle does not fit the slice, and releases it masked', () => {
    const sim = new Sim({ sliceMs: 0 });
    sim.type('a', `key ${KEY} done `);
    sim.s.leave('a');
    expect(sim.out.length).toBe(0); // nothing fitted: all of it waits for idle time
    expect(sim.s.pending).toBe(true);
    let calls = 0;
    while (sim.s.work(() => 0)) calls++;
    expect(calls).toBeGreaterThan(10); // one unit per call: a window per edit, then the settle
    expect(sim.s.held).toBe(0);
    expectNoLeak(sim, KEY);
    expect(sim.inputs().at(-1)!.value).toBe(`key ${fakeRedactor().mask(KEY)} done `);
  });

  it('runs detection while the field is typed in, so that a settle has little left', () => {
    const sim = new Sim({ sliceMs: 1, idleUnits: 2 });
    sim.paste('a', 'some words '.repeat(30));
    sim.type('a', `x ${CARD.replace(/ /g, '')}`);
    sim.type('a', '9'); // 17 digits: the card was only in intermediate values
    expect(sim.out.length).toBe(0);
    expect(sim.s.pending).toBe(false); // every window done; the whole-text pass waits for a quiet field
    sim.clock += 500;
    expect(sim.s.pending).toBe(true);
    sim.idle();
    sim.s.leave('a'); // nothing left to detect: settles at once
    expect(sim.s.held).toBe(0);
    expectNoLeak(sim, CARD);
  });

  it('catches a finding typed then deleted, with detection in idle time', () => {
    const sim = new Sim({ sliceMs: 0, idleUnits: 1 });
    sim.type('a', 'mail bob@example.com');
    for (let i = 0; i < 'bob@example.com'.length; i++) sim.key('a', 'Backspace');
    sim.type('a', 'later ');
    sim.s.leave('a');
    sim.idle();
    expect(sim.s.held).toBe(0);
    expect(sim.json()).not.toContain('example');
    expect(sim.inputs().at(-1)!.value).toBe('mail later ');
  });

  it('keeps holding a left field that is typed in again before its settle is done', () => {
    const sim = new Sim({ sliceMs: 0 });
    sim.type('a', 'card 4111 1111 ');
    sim.s.leave('a');
    expect(sim.out.length).toBe(0);
    sim.type('a', '1111 1111 thanks'); // back in the field before idle time came
    expect(sim.s.pending).toBe(true); // windows to detect, but the field is no longer being left
    sim.idle();
    expect(sim.out.length).toBe(0);
    sim.s.leave('a');
    sim.idle();
    expect(sim.s.held).toBe(0);
    expectNoLeak(sim, CARD);
    expect(sim.inputs().at(-1)!.value).toBe('card 9999 9999 9999 9999 thanks');
  });

  it('a key-up that comes after the blur does not keep a left field held', () => {
    const sim = new Sim({ sliceMs: 0 });
    sim.type('a', 'hello wor');
    sim.s.push({ type: 'key', kind: 'down', key: 'l', code: 'KeyL', char: 'l', mods: MODS, target }, { field: 'a' });
    sim.s.push({ type: 'input', value: 'hello worl', inputType: 'insertText', target }, { field: 'a' });
    sim.s.leave('a');
    sim.s.push({ type: 'key', kind: 'up', key: 'l', code: 'KeyL', mods: MODS, target }, { field: 'a' });
    sim.idle();
    expect(sim.s.held).toBe(0);
    expect(sim.inputs().at(-1)!.value).toBe('hello worl'); // a left word, not masked as unsettled
  });

  it('settles a quiet field in slices from tick()', () => {
    const sim = new Sim({ sliceMs: 0, quietMs: 1500 });
    sim.type('a', `pay ${CARD} ok `);
    sim.wait(2000);
    expect(sim.out.length).toBe(0);
    expect(sim.s.nextCheck()).toBeGreaterThan(sim.clock); // left to work(), not to tick()
    sim.idle();
    expect(sim.s.held).toBe(0);
    expectNoLeak(sim, CARD);
  });

  it('fails closed when the redactor throws in idle time', () => {
    const reasons: string[] = [];
    let n = 0;
    const real = fakeRedactor();
    const flaky: Redactor = {
      find: (t) => {
        if (++n > 5) throw new RangeError('late');
        return real.find(t);
      },
      mask: real.mask,
    };
    const sim = new Sim({ redactor: flaky, sliceMs: 0, idleUnits: 1, onFailure: (r) => reasons.push(r) });
    sim.type('a', `secret ${KEY}`);
    expect(reasons).toEqual(['RangeError']);
    expect(sim.s.pending).toBe(false);
    expect(sim.json()).not.toContain('secret');
    for (const i of sim.inputs()) expect(i.value).toBeUndefined();
  });
});

describe('flush', () => {
  it('a routine (not final) flush masks a half-typed token as unsettled', () => {
    const sim = new Sim();
    sim.type('a', 'my token is sk_live_4eC39Hq');
    sim.s.flush({ final: false });
    expect(sim.s.held).toBe(0);
    expect(sim.json()).not.toContain('4eC39');
    const last = sim.inputs().at(-1)!;
    expect(last.value).toBe('my token is xx_xxxx_9xX99Xx');
    expect(last.redactions).toEqual([{ start: 12, end: 27, kind: 'unsettled', family: 'secret' }]);
    // Typed on: the rest is held again, the masked start stays masked, the finding names it.
    sim.type('a', 'LyjWDarjtT1zdp7dc thanks');
    sim.s.leave('a');
    expectNoLeak(sim, KEY);
    expect(sim.inputs().at(-1)!.redactions).toEqual([{ start: 12, end: 12 + KEY.length, kind: 'stripe-key', family: 'secret' }]);
  });

  it('a routine flush releases closed words and open digit groups masked, a final one as they are', () => {
    const sim = new Sim();
    sim.type('a', 'hello world ');
    sim.s.flush({ final: false });
    expect(sim.inputs().at(-1)!.value).toBe('hello world ');
    sim.type('a', 'card 4111 1111 ');
    sim.s.flush({ final: false });
    expect(sim.inputs().at(-1)!.value).toBe('hello world card 9999 9999 ');
    const fin = new Sim();
    fin.type('a', 'hello wor');
    fin.s.flush();
    expect(fin.inputs().at(-1)!.value).toBe('hello wor');
  });
});
