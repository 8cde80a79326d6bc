// The trajectory record of an episode, on the recorded task suite and on hand-made events for
// what the suite does not record (redactions, keys typed outside any field).
import { describe, expect, it } from 'vitest';
import type { CaptureEvent, Target } from '@lockstep/schema';
import suite from '../../fixtures/suite.json' with { type: 'json' };
import { describeAction } from '../describe.ts';
import { FIXTURE_ORIGIN, FIXTURE_URL, loadRecording } from '../testing.ts';
import type { BuildOptions } from './build.ts';
import { buildTrajectory } from './build.ts';
import { TrajectoryRecord } from './record.ts';
import { createSiteAliases } from './sites.ts';

const golden = async (name: string): Promise<string> => ((await import(`../../fixtures/${name}.actions.txt?raw`)) as { default: string }).default;
const base: BuildOptions = { id: 'ep-1', subject: 'subject-1', task: null };

describe.each(suite)('the record of $name', ({ name, goal }) => {
  it('is a valid record whose steps are the golden actions the person made, in order', async () => {
    const record = buildTrajectory(await loadRecording(name), { ...base, task: goal, maskPageText: false });
    expect(TrajectoryRecord.parse(record)).toEqual(record);
    const person = (await golden(name)).trimEnd().split('\n').filter((line) => !line.endsWith('(action)'));
    expect(record.steps.map((s) => describeAction(s.action, FIXTURE_URL))).toEqual(person);
    expect(record.steps.map((s) => s.index)).toEqual(record.steps.map((_, i) => i));
    const counts: Record<string, number> = {};
    for (const s of record.steps) counts[s.action.kind] = (counts[s.action.kind] ?? 0) + 1;
    expect(record.counts).toEqual(counts);
  });

  it('moves each observation out of its action into the step, with times from the episode start', async () => {
    const events = await loadRecording(name);
    const record = buildTrajectory(events, base);
    expect(record.duration).toBe(Math.round((events.at(-1)!.t - events[0]!.t) * 1000) / 1000);
    expect(record.events).toBe(events.length);
    for (const s of record.steps) {
      expect(s.action.observation).toBeUndefined();
      expect(s.action.t).toBeGreaterThanOrEqual(0);
      expect(s.action.t).toBeLessThanOrEqual(record.duration);
      expect(s.action.seq.to).toBeLessThan(events.length);
      // A wait shows what the person looked at while waiting: the state before the next action.
      if (s.observation && s.action.kind !== 'wait') expect(s.observation.t).toBeLessThanOrEqual(s.action.t);
    }
    expect(record.steps[0]!.action).toMatchObject({ kind: 'navigate', cause: 'initial' });
  });

  it('is the same wherever the episode sits in the session', async () => {
    const events = await loadRecording(name);
    const later = events.map((e) => ({ ...e, seq: e.seq + 5000, t: e.t + 3_600_000.3 }));
    expect(buildTrajectory(later, base)).toEqual(buildTrajectory(events, base));
  });

  it('shows no host name and no page title once sites are aliased', async () => {
    const sites = createSiteAliases();
    const line = JSON.stringify(buildTrajectory(await loadRecording(name), { ...base, url: sites.url }));
    expect(line).not.toContain(new URL(FIXTURE_ORIGIN).host);
    expect(line).not.toMatch(/Lockstep (sample|shop|board|editor)/);
    expect(sites.aliases()).toEqual([{ alias: 'http://site-1.invalid', origin: FIXTURE_ORIGIN }]);
  });
});

describe('buildTrajectory', () => {
  it('records the final state of a sign-up: the values typed, the masked password, the checkbox, the URL', async () => {
    const record = buildTrajectory(await loadRecording('signup-fill'), { ...base, url: createSiteAliases().url });
    expect(record.final).toEqual({
      url: 'http://site-1.invalid/signup/#/sent',
      fields: [
        { selector: '#username', role: 'textbox', name: 'User name', value: 'ada_lovelace' },
        { selector: '#password', role: 'textbox', name: 'Password', masked: true },
        { selector: '#message', role: 'textbox', name: 'Message', value: 'Hello there,\nsee you soon' },
        { selector: '#remember', role: 'checkbox', name: 'Remember me', checked: true },
      ],
    });
    expect(record).toMatchObject({ platform: 'web', apps: ['http://site-1.invalid'], screen: { width: 1000, height: 700, dpr: 1 } });
  });

  it('takes a value the page set (a sync input event) as the field\'s final value, not as a step', async () => {
    // The board clears "New card" after Enter adds the card; the recorder reports that as a sync.
    const events = await loadRecording('board-add-rename');
    expect(events.filter((e) => e.type === 'input' && e.inputType === 'sync')).toEqual([expect.objectContaining({ value: '', target: expect.objectContaining({ selector: '#new-todo' }) })]);
    const record = buildTrajectory(events, base);
    expect(record.final?.fields).toEqual([
      { selector: '#new-todo', role: 'textbox', name: 'New card', value: '' },
      { selector: '#card-3', role: 'listitem', value: 'Order pizza' },
    ]);
    expect(record.counts).toEqual({ navigate: 1, click: 1, type: 2, key: 2, double_click: 1 });
  });

  it('leaves out the navigation the Send click caused, and counts what the person did', async () => {
    const record = buildTrajectory(await loadRecording('signup-fill'), base);
    expect(record.steps.filter((s) => s.action.kind === 'navigate')).toHaveLength(1);
    expect(record.counts).toEqual({ navigate: 1, click: 4, type: 3, key: 1 });
  });

  it('keeps in the final state only the fields of the documents still shown', async () => {
    // The checkout form is filled on the cart page, then the order page replaces it.
    const checkout = buildTrajectory(await loadRecording('shop-checkout'), base);
    expect(checkout.final).toEqual({ url: `${FIXTURE_ORIGIN}/shop/order.html`, fields: [] });
    // The quantity was typed on the product page, which is later loaded afresh.
    const search = buildTrajectory(await loadRecording('shop-search-add'), base);
    expect(search.final).toEqual({ url: `${FIXTURE_ORIGIN}/shop/product.html?id=2`, fields: [] });
  });

  it('masks page titles to their shape unless the program allows page text', async () => {
    const events = await loadRecording('signup-fill');
    const masked = buildTrajectory(events, base);
    expect(masked.steps[0]!.action).toMatchObject({ kind: 'navigate', title: 'Xxxx xx — Xxxxxxxx xxxxxx' });
    expect(masked.steps[1]!.observation).toMatchObject({ kind: 'page', title: 'Xxxx xx — Xxxxxxxx xxxxxx' });
    const plain = buildTrajectory(events, { ...base, maskPageText: false });
    expect(plain.steps[1]!.observation).toMatchObject({ title: 'Sign up — Lockstep sample' });
    // Targets keep their accessible names: they say which control was used.
    expect(masked.steps[1]!.action).toMatchObject({ kind: 'click', target: { name: 'User name' } });
  });

  it('uses the platform it is given; desktop episodes have no web final state', async () => {
    const record = buildTrajectory(await loadRecording('board-move-card'), { ...base, platform: 'desktop' });
    expect(record.platform).toBe('desktop');
    expect(record.final).toBeUndefined();
    expect(TrajectoryRecord.safeParse(record).success).toBe(true);
  });

  it('passes compile options to the compiler', async () => {
    const events = await loadRecording('shop-checkout');
    expect(buildTrajectory(events, base).counts.wait).toBe(1);
    expect(buildTrajectory(events, { ...base, compile: { waitMs: 60_000 } }).counts.wait).toBeUndefined();
  });

  it('starts an episode cut in the middle of a page visit on that page, given its context', async () => {
    const events = await loadRecording('signup-fill');
    const full = buildTrajectory(events, { ...base, maskPageText: false });
    // The episode starts at the third step, on the page the first one loaded.
    const cut = full.steps[2]!.action.seq.from;
    const before = events.filter((e) => e.seq < cut);
    const tail = events.filter((e) => e.seq >= cut);
    expect(tail.some((e) => e.type === 'navigation' && e.kind === 'load')).toBe(false);
    expect(buildTrajectory(tail, base).steps[0]!.observation).toBeUndefined();

    const record = buildTrajectory(tail, { ...base, maskPageText: false, context: before });
    expect(TrajectoryRecord.parse(record)).toEqual(record);
    const page = full.steps[2]!.observation!;
    expect(page.kind).toBe('page');
    // Dated at the episode's start; the page, viewport and scroll as they stood.
    expect(record.steps[0]!.observation).toEqual({ ...page, seq: 0, t: 0 });
    expect(record.steps.every((s) => s.observation !== undefined)).toBe(true);
    expect(record.steps.map((s) => describeAction(s.action, FIXTURE_URL))).toEqual(full.steps.slice(2).map((s) => describeAction(s.action, FIXTURE_URL)));
    expect([record.apps, record.screen, record.final?.url, record.events]).toEqual([[FIXTURE_ORIGIN], full.screen, full.final?.url, tail.length]);
    // Only the last page load and viewport before the first event count; later events are no context.
    expect(buildTrajectory(tail, { ...base, maskPageText: false, context: [...before, ...tail] })).toEqual(record);
    expect(buildTrajectory(tail, { ...base, maskPageText: false, context: before.filter((e) => e.type !== 'navigation') }).steps[0]!.observation).toBeUndefined();
    // An episode that loads its first page itself takes no page from before it.
    expect(buildTrajectory(events, { ...base, maskPageText: false, context: [{ seq: -1, t: -1, type: 'navigation', kind: 'load', url: 'http://elsewhere.test/', title: 'Elsewhere' }] })).toEqual(full);
  });

  it('refuses an empty episode and events out of order, naming the episode', async () => {
    expect(() => buildTrajectory([], base)).toThrow('buildTrajectory(ep-1): the episode has no events');
    const events = await loadRecording('board-move-card');
    expect(() => buildTrajectory([events[1]!, events[0]!], base)).toThrow(/buildTrajectory\(ep-1\): events must be in session order, but event seq 0/);
  });
});

describe('redaction counts', () => {
  const mods = { alt: false, ctrl: false, meta: false, shift: false };
  const field: Target = { tag: 'input', role: 'textbox', name: 'Note', selector: '#note' };
  const body: Target = { tag: 'body', selector: 'body' };

  /** A page, then `typed` into #note one character at a time, with the recorder's masked spans. */
  function session(typed: string, spans: (value: string) => { start: number; end: number; kind: string }[]): CaptureEvent[] {
    const events: CaptureEvent[] = [
      { seq: 0, t: 0, type: 'navigation', kind: 'load', url: 'https://notes.example/', title: 'Notes' },
      { seq: 1, t: 500, type: 'focus', kind: 'focus', target: field },
    ];
    let value = '';
    for (const ch of typed) {
      value += ch;
      const t = 600 + events.length * 30;
      const redactions = spans(value).map((r) => ({ ...r, family: 'pii' as const }));
      events.push({ seq: events.length, t, type: 'key', kind: 'down', key: ch, char: ch, mods, target: field });
      events.push({ seq: events.length, t: t + 1, type: 'input', value, ...(redactions.length > 0 ? { redactions } : {}), target: field });
    }
    return events;
  }

  it('counts a span once, not once per input event that lists it', () => {
    // "mail a@b.co" typed: the e-mail span grows with every key from the "a".
    const events = session('mail a@b.co', (v) => (v.length > 5 ? [{ start: 5, end: v.length, kind: 'email' }] : []));
    expect(buildTrajectory(events, base).redactions).toEqual({ email: 1 });
  });

  it('counts a second span of the same kind, and spans of each kind', () => {
    const text = 'a@b.co 555 c@d.io';
    const events = session(text, (v) => {
      const out: { start: number; end: number; kind: string }[] = [];
      for (const m of v.matchAll(/\S+@\S+|\d{3}/g)) out.push({ start: m.index, end: m.index + m[0].length, kind: m[0].includes('@') ? 'email' : 'phone' });
      return out;
    });
    expect(buildTrajectory(events, base).redactions).toEqual({ email: 2, phone: 1 });
  });

  it('counts keys typed outside any field once per run of one kind', () => {
    const events: CaptureEvent[] = [{ seq: 0, t: 0, type: 'navigation', kind: 'load', url: 'https://notes.example/', title: 'Notes' }];
    const key = (k: string, redacted?: string): void => {
      const t = 100 + events.length * 40;
      const red = redacted ? { redacted: { kind: redacted, family: 'secret' as const } } : {};
      events.push({ seq: events.length, t, type: 'key', kind: 'down', key: k, ...(redacted || k.length > 1 ? {} : { char: k }), mods, target: body, ...red });
      events.push({ seq: events.length, t: t + 10, type: 'key', kind: 'up', key: k, mods, target: body, ...red });
    };
    for (const k of 'xxxx') key(k, 'api-key');
    key('Backspace'); // a correction inside the secret does not end it
    for (const k of 'xx') key(k, 'api-key');
    key(' ');
    for (const k of 'xxx') key(k, 'api-key');
    const record = buildTrajectory(events, base);
    expect(record.redactions).toEqual({ 'api-key': 2 });
    expect(TrajectoryRecord.parse(record)).toEqual(record);
  });

  it('counts nothing for a recording without redactions', async () => {
    expect(buildTrajectory(await loadRecording('signup-fill'), base).redactions).toEqual({});
  });
});
