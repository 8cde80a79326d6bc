// The Playwright script generator, without a browser: every generated script is imported as a
// module (so it must parse), and `replay` runs against a fake page that logs what it is asked to
// do. Real Chromium runs are in packages/cli/src/replay/.
import { describe, expect, it } from 'vitest';
import type { Target } from '@lockstep/schema';
import suite from '../../fixtures/suite.json' with { type: 'json' };
import type { Action } from '../actions.ts';
import { describeAction } from '../describe.ts';
import { loadRecording } from '../testing.ts';
import { buildTrajectory } from './build.ts';
import type { FinalState, TrajectoryRecord } from './record.ts';
import { TRAJECTORY_FORMAT, TRAJECTORY_VERSION } from './record.ts';
import { MASKED_STAND_INS, localUrl, primaryOrigin, recordedUrl, siteRoutes, toPlaywrightScript } from './playwright.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- the fake page stands in for Playwright's untyped use in the script */

/** Imports a generated script as a module: it has no imports that need resolving. */
async function load(script: string): Promise<any> {
  return import(/* @vite-ignore */ `data:text/javascript,${encodeURIComponent(script)}`);
}

interface FakeOptions {
  /** How many elements a role+name or selector query matches (default 1). */
  count?: (how: 'role' | 'selector', key: string) => number;
  /** What FIELD_INFO reports for an element (default: a textarea). */
  info?: (key: string) => Record<string, unknown>;
  box?: { x: number; y: number; width: number; height: number };
}

/** A page that logs every call the replay makes, one readable line each. */
function fakePage(opts: FakeOptions = {}) {
  const log: string[] = [];
  let url = 'about:blank';
  const history: string[] = [];
  let at = -1;
  const count = opts.count ?? (() => 1);
  const info = opts.info ?? (() => ({ tag: 'textarea', type: '', editable: false, autocomplete: '', inputmode: '', maxLength: -1, focused: true }));
  const box = opts.box ?? { x: 20, y: 90, width: 420, height: 33 };
  const locator = (how: 'role' | 'selector', key: string, frame: string): any => {
    const name = `${frame}${key}`;
    const self: any = {
      count: async () => count(how, key),
      first: () => self,
      boundingBox: async () => box,
      click: async (o: any) => void log.push(`click ${name} ${JSON.stringify(o)}`),
      fill: async (v: string) => void log.push(`fill ${name} ${JSON.stringify(v)}`),
      focus: async () => void log.push(`focus ${name}`),
      selectOption: async (v: string) => void log.push(`select ${name} ${JSON.stringify(v)}`),
      evaluate: async () => info(key),
      dragTo: async (to: any, o: any) => void log.push(`dragTo ${name} → ${to.name} ${JSON.stringify(o)}`),
      scrollIntoViewIfNeeded: async () => {},
      name,
    };
    return self;
  };
  const scope = (frame: string): any => ({
    getByRole: (role: string, o: { name: string; exact: boolean }) => {
      expect(o.exact).toBe(true);
      return locator('role', `${role} ${JSON.stringify(o.name)}`, frame);
    },
    locator: (selector: string) => locator('selector', selector, frame),
    frameLocator: (selector: string) => ({ nth: (i: number) => scope(`${frame}${selector}[${i}] >> `) }),
  });
  const go = (to: string): void => {
    history.splice(at + 1);
    history.push(to);
    at = history.length - 1;
    url = to;
  };
  const page: any = {
    ...scope(''),
    url: () => url,
    viewportSize: () => ({ width: 1280, height: 720 }),
    setViewportSize: async (v: unknown) => void log.push(`viewport ${JSON.stringify(v)}`),
    goto: async (to: string) => {
      log.push(`goto ${to}`);
      go(to);
    },
    goBack: async () => {
      log.push('back');
      if (at > 0) url = history[--at]!;
      return null;
    },
    goForward: async () => {
      log.push('forward');
      if (at < history.length - 1) url = history[++at]!;
      return null;
    },
    waitForLoadState: async () => {},
    waitForURL: async (match: (u: URL) => boolean) => {
      if (!match(new URL(url))) throw new Error('timeout');
    },
    evaluate: async () => '0,0',
    keyboard: {
      press: async (k: string) => void log.push(`press ${k}`),
      down: async (k: string) => void log.push(`down ${k}`),
      up: async (k: string) => void log.push(`up ${k}`),
      type: async (t: string) => void log.push(`keys ${JSON.stringify(t)}`),
      insertText: async (t: string) => void log.push(`insert ${JSON.stringify(t)}`),
    },
    mouse: {
      move: async (x: number, y: number) => void log.push(`mouse.move ${x},${y}`),
      down: async (o: any) => void log.push(`mouse.down ${JSON.stringify(o ?? {})}`),
      up: async (o: any) => void log.push(`mouse.up ${JSON.stringify(o ?? {})}`),
      click: async (x: number, y: number, o: any) => void log.push(`mouse.click ${x},${y} ${JSON.stringify(o)}`),
      wheel: async (dx: number, dy: number) => void log.push(`wheel ${dx},${dy}`),
    },
  };
  return { page, log, go };
}

// Hand-made records: just enough of each action for the generator.
const SCREEN = { width: 1000, height: 700, dpr: 1 };
let seq = 0;
const base = () => ({ seq: { from: seq, to: seq++ }, t: seq * 100, duration: 0 });
const pt = (x: number, y: number) => ({ x, y, nx: x / SCREEN.width, ny: y / SCREEN.height });
const target = (selector: string, more: Partial<Target> = {}): Target => ({ tag: 'input', selector, box: { x: 20, y: 90, w: 420, h: 33 }, ...more });

function record(actions: Action[], final: FinalState = { url: 'http://site-1.invalid/form/', fields: [] }, task: string | null = 'a task'): TrajectoryRecord {
  return {
    format: TRAJECTORY_FORMAT,
    version: TRAJECTORY_VERSION,
    id: 'ep-1',
    subject: 'subject-1',
    task,
    platform: 'web',
    screen: SCREEN,
    duration: 5000,
    apps: ['http://site-1.invalid'],
    events: 10,
    counts: {},
    redactions: {},
    steps: actions.map((action, index) => ({ index, action })),
    final,
  };
}

const start = (url = 'http://site-1.invalid/form/'): Action => ({ ...base(), kind: 'navigate', via: 'load', url, title: 'Form', cause: 'initial' });
const LOCAL = { baseURL: 'http://127.0.0.1:4173/', locateTimeoutMs: 0 };

describe('toPlaywrightScript on the recorded task suite', () => {
  it.each(suite)('$name: a module with one commented line per step and the recorded final state', async ({ name, goal }) => {
    const rec = buildTrajectory(await loadRecording(name), { id: name, subject: 's-1', task: goal, maskPageText: false });
    const script = toPlaywrightScript(rec);
    const mod = await load(script);
    expect(typeof mod.replay).toBe('function');
    expect(mod.EXPECTED_FINAL).toEqual(rec.final);
    expect(mod.VIEWPORT).toEqual({ width: 1000, height: 700 });
    expect(mod.TASK).toBe(goal);
    expect(mod.PRIMARY_ORIGIN).toBe('http://samples.test');
    for (const step of rec.steps) expect(script).toContain(`// ${step.index}. ${describeAction(step.action)}`);
    // No imports a reader would have to resolve: playwright-core is loaded only when run by Node.
    expect(script).not.toMatch(/^\s*import\s/m);
  });
});

describe('untrusted text', () => {
  const evil = "x */ y `${process.exit(1)}` \\ \" ' </script><script>alert(1)</script>\nline two\r\n\u2028\u2029 // end";

  it('is data in the script: it parses, and the exact text is typed', async () => {
    const rec = record(
      [
        start(),
        { ...base(), kind: 'type', target: target(`#m\n*/ ${evil}`, { tag: 'textarea', name: evil, role: 'textbox' }), text: evil },
        { ...base(), kind: 'navigate', via: 'load', url: `http://site-1.invalid/${encodeURIComponent(evil)}`, title: evil, cause: 'direct' },
      ],
      { url: 'http://site-1.invalid/form/', fields: [{ selector: `#m\n*/ ${evil}`, value: evil }] },
      evil,
    );
    const script = toPlaywrightScript(rec);
    // Every comment stays on its own line: no line terminator inside one.
    for (const line of script.split('\n')) if (line.trimStart().startsWith('//')) expect(line).not.toMatch(/[\r\u2028\u2029]/);
    const mod = await load(script);
    expect(mod.TASK).toBe(evil);
    expect(mod.EXPECTED_FINAL.fields[0].value).toBe(evil);
    // Found by role + name: typed with fill, exactly.
    const byRole = fakePage({ count: (how) => (how === 'role' ? 1 : 0) });
    await mod.replay(byRole.page, LOCAL);
    expect(byRole.log).toContain(`fill textbox ${JSON.stringify(evil)} ${JSON.stringify(evil)}`);
    // Found by selector: the selector is used as recorded.
    const bySelector = fakePage({ count: (how) => (how === 'selector' ? 1 : 0) });
    await mod.replay(bySelector.page, LOCAL);
    expect(bySelector.log).toContain(`fill #m\n*/ ${evil} ${JSON.stringify(evil)}`);
  });

  it('goes into rich text by select-all and insert, exactly', async () => {
    const rec = record([start(), { ...base(), kind: 'type', target: target('#doc', { tag: 'div' }), text: evil }]);
    const f = fakePage({ info: () => ({ tag: 'div', type: '', editable: true, autocomplete: '', inputmode: '', maxLength: -1, focused: false }) });
    await (await load(toPlaywrightScript(rec))).replay(f.page, LOCAL);
    expect(f.log.slice(-3)).toEqual(['focus #doc', 'press ControlOrMeta+A', `insert ${JSON.stringify(evil)}`]);
  });
});

describe('steps', () => {
  it('replays each kind of action with Playwright calls', async () => {
    const doc = target('#doc', { tag: 'div', role: 'textbox', name: 'Document', box: { x: 20, y: 90, w: 420, h: 33 } });
    const rec = record([
      start(),
      { ...base(), kind: 'click', point: pt(30, 100), screen: SCREEN, target: doc, button: 'left' },
      { ...base(), kind: 'click', point: pt(30, 100), screen: SCREEN, target: doc, button: 'left', count: 3, mods: ['ctrl', 'shift'] },
      { ...base(), kind: 'double_click', point: pt(40, 101), screen: SCREEN, target: doc },
      { ...base(), kind: 'right_click', point: pt(40, 101), screen: SCREEN, target: doc },
      { ...base(), kind: 'hotkey', keys: ['ctrl', 'b'], combo: 'ctrl+b', command: 'ctrl' },
      { ...base(), kind: 'hotkey', keys: ['shift', 'tab'], combo: 'shift+tab' },
      { ...base(), kind: 'key', key: 'left', count: 2 },
      { ...base(), kind: 'select', target: target('#plan', { tag: 'select' }), value: 'team' },
      { ...base(), kind: 'select', target: target('#plan', { tag: 'select' }), masked: true },
      { ...base(), kind: 'wait', duration: 4000 },
      { ...base(), kind: 'scroll', point: pt(500, 400), screen: SCREEN, direction: 'down', dx: 0, dy: 450 },
      { ...base(), kind: 'switch', app: 'other' },
      { ...base(), kind: 'navigate', via: 'load', url: 'http://site-1.invalid/next', title: 'Next', cause: 'direct' },
      { ...base(), kind: 'navigate', via: 'pop', url: 'http://site-1.invalid/form/', title: 'Form', cause: 'history' },
    ]);
    const script = toPlaywrightScript(rec);
    expect(script).toContain('// Not replayed: switching windows');
    expect(script).toContain('// Masked select');
    expect(script).toContain('await r.wait(1000); // recorded 4000 ms');
    const f = fakePage();
    const started = Date.now();
    const { notes } = await (await load(script)).replay(f.page, LOCAL);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(notes).toEqual([]);
    expect(f.log).toEqual([
      'viewport {"width":1000,"height":700}',
      'goto http://127.0.0.1:4173/form/',
      // The recorded point's place inside the element is kept.
      'click textbox "Document" {"button":"left","clickCount":1,"position":{"x":10,"y":10},"timeout":5000}',
      'click textbox "Document" {"button":"left","clickCount":3,"modifiers":["Control","Shift"],"position":{"x":10,"y":10},"timeout":5000}',
      'click textbox "Document" {"button":"left","clickCount":2,"position":{"x":20,"y":11},"timeout":5000}',
      'click textbox "Document" {"button":"right","clickCount":1,"position":{"x":20,"y":11},"timeout":5000}',
      // The platform's command key works on any platform.
      'press ControlOrMeta+b',
      'press Shift+Tab',
      'press ArrowLeft',
      'press ArrowLeft',
      'select #plan "team"',
      'mouse.move 500,400',
      'wheel 0,450',
      'goto http://127.0.0.1:4173/next',
      'back',
    ]);
  });

  it('drags: html5 with dragTo between the elements, pointer along the path', async () => {
    const card = target('#card-2', { tag: 'li', box: { x: 32, y: 153, w: 220, h: 35 } });
    const list = target('#doing > ul', { tag: 'ul', role: 'list', name: 'Doing cards', box: { x: 284, y: 112, w: 220, h: 150 } });
    const html5: Action = { ...base(), kind: 'drag', via: 'html5', button: 'left', point: pt(142, 171), end: pt(394, 217), path: [pt(142, 171), pt(394, 217)], screen: SCREEN, target: card, endTarget: list };
    const pointer: Action = { ...html5, via: 'pointer', path: [pt(142, 171), pt(162, 171), pt(394, 217)] };
    const f = fakePage({ box: { x: 32, y: 153, width: 220, height: 150 } });
    await (await load(toPlaywrightScript(record([start(), html5, pointer])))).replay(f.page, LOCAL);
    expect(f.log[2]).toBe('dragTo #card-2 → list "Doing cards" {"sourcePosition":{"x":110,"y":18},"targetPosition":{"x":110,"y":105},"timeout":5000}');
    expect(f.log.slice(3)).toEqual(['mouse.move 142,171', 'mouse.down {"button":"left"}', 'mouse.move 162,171', 'mouse.move 394,217', 'mouse.up {"button":"left"}']);
  });

  it('falls back from role + name to the selector to the recorded point', async () => {
    const link = target('#cart-link', { tag: 'a', role: 'link', name: 'Cart ( 2 )', box: { x: 356, y: 33, w: 57, h: 18 } });
    const rec = record([start(), { ...base(), kind: 'click', point: pt(386, 42), screen: SCREEN, target: link, button: 'left', mods: ['alt'] }]);
    const mod = await load(toPlaywrightScript(rec));
    // The name differs on the page (no element, or two): the selector is used.
    const bySelector = fakePage({ count: (how) => (how === 'role' ? 2 : 1) });
    await mod.replay(bySelector.page, LOCAL);
    expect(bySelector.log[2]).toMatch(/^click #cart-link /);
    // Neither matches exactly one element: the recorded point, with the modifiers held.
    const byPoint = fakePage({ count: () => 0 });
    const { notes } = await mod.replay(byPoint.page, LOCAL);
    expect(byPoint.log.slice(2)).toEqual(['down Alt', 'mouse.click 386,42 {"button":"left","clickCount":1}', 'up Alt']);
    expect(notes).toEqual([{ step: 1, text: 'no unique element for "link Cart ( 2 )" (matches: {"role":0,"selector":0})' }]);
  });

  it('finds elements in frames by their frame path', async () => {
    const email = target('#email', { frame: [0, 2] });
    const f = fakePage();
    await (await load(toPlaywrightScript(record([start(), { ...base(), kind: 'type', target: email, text: 'a@b.c' }])))).replay(f.page, LOCAL);
    expect(f.log[2]).toBe('fill iframe, frame[0] >> iframe, frame[2] >> #email "a@b.c"');
  });

  it('fills masked fields with a stand-in that fits the field', async () => {
    const rec = record([
      start(),
      { ...base(), kind: 'type', target: target('#password', { masked: true }), masked: true },
      { ...base(), kind: 'type', target: target('#card', { masked: true }), masked: true },
      { ...base(), kind: 'type', target: target('#code', { masked: true }), masked: true },
    ]);
    const script = toPlaywrightScript(rec);
    expect(script.match(/\/\/ Masked field: what was typed was never recorded/g)).toHaveLength(3);
    const infos: Record<string, Record<string, unknown>> = {
      '#password': { tag: 'input', type: 'password', autocomplete: 'current-password', inputmode: '', maxLength: -1 },
      '#card': { tag: 'input', type: 'text', autocomplete: 'cc-number', inputmode: 'numeric', maxLength: -1 },
      '#code': { tag: 'input', type: 'text', autocomplete: '', inputmode: 'numeric', maxLength: 4 },
    };
    const f = fakePage({ info: (key) => infos[key]! });
    await (await load(script)).replay(f.page, LOCAL);
    expect(f.log.slice(2)).toEqual([`fill #password "${MASKED_STAND_INS.text}"`, `fill #card "${MASKED_STAND_INS['cc-number']}"`, 'fill #code "1234"']);
    expect(MASKED_STAND_INS.text).toMatch(/^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)(?=.*[^\w]).{12,}$/);
  });

  it('waits for the page each step was done on, and for where the recording ended', async () => {
    const rec = record([start(), { ...base(), kind: 'click', point: pt(30, 100), screen: SCREEN, target: target('#go'), button: 'left' }], { url: 'http://site-1.invalid/done', fields: [] });
    rec.steps[1]!.observation = { kind: 'page', seq: 1, t: 1, settled: true, url: 'http://site-1.invalid/form/', title: '', viewport: SCREEN, scroll: { x: 0, y: 0 } };
    const script = toPlaywrightScript(rec, { urlTimeoutMs: 0 });
    expect(script).toContain('await r.expectUrl("http://site-1.invalid/done");');
    const f = fakePage();
    const { notes } = await (await load(script)).replay(f.page, LOCAL);
    expect(notes).toEqual([{ step: 1, text: 'the page did not reach http://site-1.invalid/done (it is at http://site-1.invalid/form/)' }]);
  });

  it('opens the page an episode cut in the middle of a page visit starts on', async () => {
    const events = await loadRecording('signup-fill');
    const full = buildTrajectory(events, { id: 'ep-1', subject: 's-1', task: null });
    const cut = full.steps[2]!.action.seq.from;
    const rec = buildTrajectory(
      events.filter((e) => e.seq >= cut),
      { id: 'ep-1', subject: 's-1', task: null, context: events.filter((e) => e.seq < cut), url: (u) => u.replace('http://samples.test', 'http://site-1.invalid') },
    );
    const script = toPlaywrightScript(rec);
    expect(script).toContain('await r.goto("http://site-1.invalid/signup/");');
    const f = fakePage();
    await (await load(script)).replay(f.page, LOCAL);
    expect(f.log.filter((line) => !line.startsWith('viewport'))[0]).toBe('goto http://127.0.0.1:4173/signup/');
    // An episode that loads its first page itself does not open another first.
    expect(toPlaywrightScript(full).match(/r\.goto\(/g)).toHaveLength(1);
  });

  it('names the site to map when a site alias has no local copy', async () => {
    const mod = await load(toPlaywrightScript(record([start()])));
    await expect(mod.replay(fakePage().page, { locateTimeoutMs: 0 })).rejects.toThrow('step 0: no local copy for http://site-1.invalid: pass --site site-1.invalid=URL');
  });

  it('refuses desktop episodes and bad options', () => {
    expect(() => toPlaywrightScript({ ...record([]), platform: 'desktop' })).toThrow(/only web episodes/);
    expect(() => toPlaywrightScript(record([]), { maxWaitMs: -1 })).toThrow(/maxWaitMs must be a number ≥ 0/);
  });
});

describe('site mapping', () => {
  it('maps recorded sites to local copies and back', () => {
    const routes = siteRoutes('http://site-1.invalid', { baseURL: 'http://127.0.0.1:4173/app/', sites: { 'site-2.invalid': 'http://127.0.0.1:5000', 'https://docs.example.com': 'http://127.0.0.1:6000/' } });
    expect(localUrl('http://site-1.invalid/a/b?c=1#d', routes)).toBe('http://127.0.0.1:4173/app/a/b?c=1#d');
    expect(localUrl('https://site-2.invalid/x', routes)).toBe('http://127.0.0.1:5000/x');
    expect(localUrl('https://docs.example.com/y', routes)).toBe('http://127.0.0.1:6000/y');
    expect(localUrl('http://docs.example.com/y', routes)).toBe('http://docs.example.com/y');
    expect(recordedUrl('http://127.0.0.1:4173/app/a/b?c=1#d', routes)).toBe('http://site-1.invalid/a/b?c=1#d');
    expect(recordedUrl('http://127.0.0.1:4173/app', routes)).toBe('http://site-1.invalid/');
    expect(recordedUrl('http://127.0.0.1:4173/apple', routes)).toBe('http://127.0.0.1:4173/apple');
    expect(recordedUrl('http://127.0.0.1:5000/x', routes)).toBe('http://site-2.invalid/x');
  });

  it('takes the first app, else the first page, as the site baseURL stands for', () => {
    expect(primaryOrigin(record([start()]))).toBe('http://site-1.invalid');
    expect(primaryOrigin({ ...record([start('https://a.example/x')]), apps: [] })).toBe('https://a.example');
  });
});
