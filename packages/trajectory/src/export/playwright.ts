// Trajectory record → a standalone Playwright script that replays a web episode. The script is
// an ES module with no static imports: it exports `replay(page, options)` (the steps), the state
// the recording ended in, and the code that reads and compares that state; run directly with
// Node it loads playwright-core itself, launches Chromium, replays, prints the final state as
// JSON and exits 0 when it matches the recording, 1 when it does not.
//
// Every value taken from the record (task, typed text, names, selectors, URLs) is untrusted: it
// enters the script only as a JSON literal, and comments only after their line breaks are
// replaced, so no text can end a comment or a string early. The replay helpers the steps call
// are a fixed piece of JavaScript (RUNTIME below) that no record can change.
//
// How a step finds its element, at run time: role + accessible name (exact), then the CSS
// selector, each used only when it matches exactly one element (polled until a deadline while
// the page settles), then the recorded coordinates. Pointer actions keep the recorded point's
// place inside the element, so a double click on a word or a drag that selects text lands on the
// same characters. A target in a frame is looked for in the frame its path names: the recorder
// indexes `window.frames`, which the script follows as the n-th `iframe`/`frame` element in
// document order (frames inside shadow roots or <object> would shift that count).
//
// Typing replays the field's text at the end of the visit, not the keys: `fill` for inputs and
// text areas, select-all + insert for rich text (contenteditable), the keys themselves when the
// focus was on no field. Caused navigations are not steps: before each step the script waits
// for the URL that step was done on (its observation), and at the end for the recorded final URL.
import type { Target } from '@lockstep/schema';
import type { Action, Point } from '../actions.ts';
import { describeAction } from '../describe.ts';
import { playwrightKey } from '../vocab/webarena.ts';
import type { FinalState, TrajectoryRecord } from './record.ts';

export interface PlaywrightScriptOptions {
  /** Longest a recorded idle wait is replayed, in ms (default 1000); 0 skips waits. */
  maxWaitMs?: number;
  /** How long a step looks for its element before falling back to coordinates, in ms (default 5000). */
  locateTimeoutMs?: number;
  /** Timeout of one Playwright action (click, fill, drag…) on a located element, in ms (default 5000). */
  actionTimeoutMs?: number;
  /** How long to wait for the page to reach the URL the next step was done on, in ms (default 10000). */
  urlTimeoutMs?: number;
  /** Timeout of loading a page (goto, back, forward, waiting for `load`), in ms (default 30000). */
  navigationTimeoutMs?: number;
}

export const DEFAULT_PLAYWRIGHT_SCRIPT_OPTIONS: Readonly<Required<PlaywrightScriptOptions>> = Object.freeze({
  maxWaitMs: 1000,
  locateTimeoutMs: 5000,
  actionTimeoutMs: 5000,
  urlTimeoutMs: 10_000,
  navigationTimeoutMs: 30_000,
});

/**
 * What a masked type action fills in, by the field's kind (decided at run time from its `type`,
 * `autocomplete` and `inputmode`). The recording never saw the text, so the replay uses values
 * that pass common validation: the password has upper and lower case, a digit and a symbol and
 * is 16 characters long; the card number is Stripe's Visa test number (Luhn-valid); the one-time
 * code is six digits. A field's `maxlength` truncates the value.
 */
export const MASKED_STAND_INS: Readonly<Record<string, string>> = Object.freeze({
  text: 'Replay-Passw0rd!',
  email: 'replay@example.com',
  tel: '+15555550100',
  url: 'https://example.com/',
  number: '1',
  'cc-number': '4242424242424242',
  'cc-exp': '12/34',
  'cc-csc': '123',
  'one-time-code': '123456',
});

/** The default Chromium flags of a standalone run (quiet, container-safe). */
export const REPLAY_CHROMIUM_ARGS: readonly string[] = Object.freeze([
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-gpu',
  '--no-first-run',
]);

// ---------------------------------------------------------------------------------------------
// URL mapping: the recorded sites → the local copies the replay runs against. Shared with the
// runtime below (which carries the same rules in JavaScript) and with the CLI's state check.

export interface SiteMapping {
  /** Where the episode's first site (`apps[0]`) is served now: `http://localhost:4173/`. */
  baseURL?: string;
  /**
   * Recorded site → where it is served now. Keys are a host (`site-1.invalid`, `samples.test`),
   * a host with port, or an origin (`http://site-1.invalid`).
   */
  sites?: Readonly<Record<string, string>>;
}

/** One recorded origin and the local base that stands in for it. */
export interface SiteRoute {
  /** Recorded origin, `http://site-1.invalid`. */
  from: string;
  /** Local base without a trailing slash: `http://localhost:4173` or `http://host/prefix`. */
  to: string;
}

const trimSlash = (s: string): string => s.replace(/\/+$/, '');

/** The routes of a mapping: each recorded origin and the local base that replaces it. */
export function siteRoutes(primaryOrigin: string | undefined, mapping: SiteMapping): SiteRoute[] {
  const routes: SiteRoute[] = [];
  for (const [key, base] of Object.entries(mapping.sites ?? {})) {
    const from = /^[a-z][a-z0-9+.-]*:\/\//i.test(key) ? new URL(key).origin : `http://${key}`;
    routes.push({ from: new URL(from).origin, to: trimSlash(new URL(base).href) });
    // A bare host matches both schemes.
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(key)) routes.push({ from: new URL(`https://${key}`).origin, to: trimSlash(new URL(base).href) });
  }
  if (mapping.baseURL !== undefined && primaryOrigin !== undefined && !routes.some((r) => r.from === primaryOrigin)) {
    routes.push({ from: primaryOrigin, to: trimSlash(new URL(mapping.baseURL).href) });
  }
  return routes;
}

/** A recorded URL → the URL to open now; unchanged when no route covers its origin. */
export function localUrl(url: string, routes: readonly SiteRoute[]): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  const route = routes.find((r) => r.from === u.origin);
  return route ? `${route.to}${u.pathname}${u.search}${u.hash}` : url;
}

/** A URL of the replayed page → the recorded URL it stands for (the inverse of `localUrl`). */
export function recordedUrl(url: string, routes: readonly SiteRoute[]): string {
  for (const r of routes) {
    if (url === r.to || url.startsWith(`${r.to}/`) || url.startsWith(`${r.to}?`) || url.startsWith(`${r.to}#`)) {
      const rest = url.slice(r.to.length);
      return `${r.from}${rest.startsWith('/') ? rest : `/${rest}`}`;
    }
  }
  return url;
}

// ---------------------------------------------------------------------------------------------
// Code generation.

/** A JavaScript literal of any JSON value: strings, numbers, arrays, plain objects. */
function lit(value: unknown): string {
  // JSON is valid JavaScript (ES2019); U+2028/2029 are escaped anyway, for older readers.
  return JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Text made safe for a `//` comment: no line terminator can end the comment early. */
function commentText(text: string): string {
  return text.replace(/\r\n|[\r\n\u2028\u2029]/g, '⏎');
}

/** The parts of a target the replay uses, in a stable order. */
function targetLit(t: Target | undefined): string {
  if (!t) return 'null';
  const out: Record<string, unknown> = {};
  if (t.role !== undefined) out.role = t.role;
  if (t.name !== undefined) out.name = t.name;
  out.selector = t.selector;
  if (t.frame && t.frame.length > 0) out.frame = t.frame;
  if (t.box) out.box = t.box;
  return lit(out);
}

const pointLit = (p: Point): string => lit({ x: p.x, y: p.y });
const modsLit = (mods: readonly string[] | undefined): string[] => (mods && mods.length > 0 ? [`modifiers: ${lit(mods.map(playwrightKey))}`] : []);

/** A key combination as Playwright names it; the platform's command modifier becomes `ControlOrMeta`. */
function comboOf(keys: readonly string[], command: 'ctrl' | 'meta' | undefined): string {
  return keys.map((k) => (command !== undefined && k === command ? 'ControlOrMeta' : playwrightKey(k))).join('+');
}

/** The code of one action: statement lines (without indentation), or a comment when it cannot be replayed. */
function actionCode(a: Action, waitCap: number): string[] {
  switch (a.kind) {
    case 'click': {
      const opts = [`button: ${lit(a.button)}`, ...(a.count === 3 ? ['clickCount: 3'] : []), ...modsLit(a.mods)];
      return [`await r.click(${targetLit(a.target)}, ${pointLit(a.point)}, { ${opts.join(', ')} });`];
    }
    case 'double_click':
      return [`await r.click(${targetLit(a.target)}, ${pointLit(a.point)}, { ${['button: "left"', 'clickCount: 2', ...modsLit(a.mods)].join(', ')} });`];
    case 'right_click':
      return [`await r.click(${targetLit(a.target)}, ${pointLit(a.point)}, { ${['button: "right"', ...modsLit(a.mods)].join(', ')} });`];
    case 'drag': {
      const opts = [`via: ${lit(a.via)}`, `button: ${lit(a.button)}`, ...modsLit(a.mods)];
      return [`await r.drag(${targetLit(a.target)}, ${targetLit(a.endTarget)}, ${lit(a.path.map((p) => ({ x: p.x, y: p.y })))}, { ${opts.join(', ')} });`];
    }
    case 'scroll': {
      const opts = [...(a.container ? [`container: ${targetLit(a.container)}`] : []), ...modsLit(a.mods)];
      return [`await r.scroll(${pointLit(a.point)}, ${lit(a.dx)}, ${lit(a.dy)}${opts.length > 0 ? `, { ${opts.join(', ')} }` : ''});`];
    }
    case 'type':
      if (a.masked || a.text === undefined) {
        return ['// Masked field: what was typed was never recorded; a stand-in value that passes common validation is filled in.', `await r.typeMasked(${targetLit(a.target)});`];
      }
      return [
        ...(a.redactions ? [`// Part of this text was redacted on the device (${commentText(a.redactions.map((x) => x.kind).join(', '))}): the redacted form is typed.`] : []),
        `await r.type(${targetLit(a.target)}, ${lit(a.text)});`,
      ];
    case 'select':
      if (a.masked || a.value === undefined) return ['// Masked select: the option chosen was never recorded, so it is left as it is.'];
      return [`await r.select(${targetLit(a.target)}, ${lit(a.value)});`];
    case 'key':
      return [`await r.press(${lit(playwrightKey(a.key))}${a.count ? `, ${a.count}` : ''});`];
    case 'hotkey':
      return [`await r.press(${lit(comboOf(a.keys, a.command))}${a.count ? `, ${a.count}` : ''});`];
    case 'navigate':
      switch (a.cause) {
        case 'initial':
        case 'direct':
          return [`await r.goto(${lit(a.url)});`];
        case 'history':
          return [`await r.history(${lit(a.url)});`];
        case 'script':
        case 'action':
          // The page changed its URL itself (or an earlier step made it): wait for it, do not force it.
          return [`await r.expectUrl(${lit(a.url)});`];
      }
      return [];
    case 'wait':
      return waitCap > 0 ? [`await r.wait(${Math.round(Math.min(a.duration, waitCap))}); // recorded ${Math.round(a.duration)} ms`] : ['// (wait skipped)'];
    case 'switch':
      return ['// Not replayed: switching windows or tabs has no equivalent in a one-page replay.'];
  }
}

/** Lines of the header comment, each already safe. */
function header(record: TrajectoryRecord): string[] {
  const lines = [
    `// Lockstep replay of episode ${commentText(record.id)} (${record.steps.length} steps, recorded ${Math.round(record.duration / 1000)} s).`,
    `// Task: ${record.task === null ? '(not labelled)' : commentText(record.task)}`,
    '//',
    '// Generated from a Lockstep trajectory record. Run it with Node (playwright-core must be',
    '// installed next to this file or in the current folder; Chromium from $LOCKSTEP_CHROMIUM or',
    '// /usr/bin/chromium):',
    '//   node episode.mjs [--base-url URL] [--site site-1.invalid=http://localhost:4173] [--headed]',
    '// --base-url serves the first recorded site from URL; --site maps one recorded site (host or',
    '// origin) to URL and may be repeated. It prints the final page state as JSON and exits 0 when',
    '// it matches the recorded one, 1 when it does not. Or import it and call',
    '//   await replay(page, { baseURL, sites })',
    '// on a Playwright page of your own.',
  ];
  if (record.steps.some((s) => s.action.kind === 'type' && (s.action.masked || s.action.text === undefined))) {
    lines.push('//', '// Masked fields were filled with stand-in values (see MASKED_STAND_INS), not what was typed.');
  }
  return lines;
}

/**
 * A standalone ES module (text) that replays a web trajectory record with Playwright. See the top
 * of this file for what it contains and how it finds elements. Throws for desktop records.
 */
export function toPlaywrightScript(record: TrajectoryRecord, options: PlaywrightScriptOptions = {}): string {
  if (record.platform !== 'web') throw new Error(`toPlaywrightScript(${record.id}): only web episodes can be replayed in a browser (this one is ${record.platform})`);
  const opts = { ...DEFAULT_PLAYWRIGHT_SCRIPT_OPTIONS, ...options };
  for (const [key, value] of Object.entries(opts)) {
    if (!Number.isFinite(value) || value < 0) throw new Error(`toPlaywrightScript: ${key} must be a number ≥ 0, got ${String(value)}`);
  }
  const primary = primaryOrigin(record);
  const viewport = record.screen ? { width: Math.round(record.screen.width), height: Math.round(record.screen.height) } : null;
  const final: FinalState | null = record.final ?? null;

  const body: string[] = [];
  let lastUrl: string | undefined;
  // An episode that starts in the middle of a page visit (its first step loads no page, but was
  // done on one: see buildTrajectory's `context`) starts on that page.
  const opening = record.steps[0];
  const loads = opening?.action.kind === 'navigate' && (opening.action.cause === 'initial' || opening.action.cause === 'direct');
  if (opening && !loads && opening.observation?.kind === 'page' && opening.observation.url !== '') {
    lastUrl = opening.observation.url;
    body.push('  // The episode starts on a page it did not load itself: open it first.', `  await r.goto(${lit(lastUrl)});`);
  }
  for (const step of record.steps) {
    const a = step.action;
    if (body.length > 0) body.push('');
    body.push(`  // ${step.index}. ${commentText(describeAction(a))}`, `  r.at(${step.index});`);
    // The page this step was done on: when it differs from the last one, something (a link, a
    // form, a script) navigated in between; wait for the replay to get there too.
    const seen = step.observation?.kind === 'page' ? step.observation.url : undefined;
    if (seen !== undefined && lastUrl !== undefined && seen !== lastUrl && a.kind !== 'navigate') {
      body.push(`  await r.expectUrl(${lit(seen)}); // the page this step was done on`);
    }
    if (a.kind === 'navigate') lastUrl = a.url;
    else if (seen !== undefined) lastUrl = seen;
    for (const line of actionCode(a, opts.maxWaitMs)) body.push(`  ${line}`);
  }
  if (final?.url !== undefined && final.url !== lastUrl) {
    body.push('', '  // Where the recording ended: the last step led there.', `  await r.expectUrl(${lit(final.url)});`);
  }
  body.push('', '  return r.finish();');

  return [
    ...header(record),
    '',
    `export const EPISODE = ${lit(record.id)};`,
    `export const TASK = ${lit(record.task)};`,
    '/** The first recorded site: `baseURL` replaces it. */',
    `export const PRIMARY_ORIGIN = ${lit(primary ?? null)};`,
    '/** The viewport of the recording (CSS px); pointer coordinates refer to it. */',
    `export const VIEWPORT = ${lit(viewport)};`,
    '/** The page state the recording ended in: the URL and the fields the episode touched. */',
    `export const EXPECTED_FINAL = ${lit(final)};`,
    `export const DEFAULTS = ${lit(opts)};`,
    `export const MASKED_STAND_INS = ${lit(MASKED_STAND_INS)};`,
    `export const CHROMIUM_ARGS = ${lit(REPLAY_CHROMIUM_ARGS)};`,
    '',
    '/**',
    ' * Replays the episode on `page` (a Playwright Page). Options: `baseURL`, `sites` (see the top),',
    ' * the timeouts in DEFAULTS, and `viewport: false` to keep the page\'s viewport (by default it is',
    ' * set to the recorded one, which the coordinates refer to). Resolves to { notes }: the fallbacks',
    ' * it had to take. A step that fails rejects with "step N: …" (N as in the comments below).',
    ' */',
    'export async function replay(page, options = {}) {',
    '  const r = createRunner(page, options);',
    '  await r.start();',
    '  try {',
    ...body.map((line) => (line === '' ? '' : `  ${line}`)),
    '  } catch (err) {',
    '    throw r.failed(err);',
    '  }',
    '}',
    '',
    RUNTIME.trim(),
    '',
  ].join('\n');
}

/** The episode's first site: what `baseURL` stands in for (`apps[0]`, else the first page's origin). */
export function primaryOrigin(record: TrajectoryRecord): string | undefined {
  if (record.apps[0] !== undefined) return record.apps[0];
  const first = record.steps.find((s) => s.action.kind === 'navigate')?.action;
  return first?.kind === 'navigate' ? originOrUndefined(first.url) : undefined;
}

function originOrUndefined(url: string): string | undefined {
  try {
    const o = new URL(url).origin;
    return o === 'null' ? undefined : o;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// The replay helpers every script carries. Plain JavaScript, kept free of backticks and `${`
// (it is a raw template). Functions that run inside the page are built with `new Function` from
// strings, so no build tool can rewrite them before Playwright sends their source to the page.

const RUNTIME = String.raw`
// ---- Replay helpers (generated by Lockstep; identical in every script) ----

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const inPage = (body) => new Function('el', 'arg', body);

/** Facts about a field the typing step needs: its kind and what a stand-in value must respect. */
const FIELD_INFO = inPage(
  "return { tag: el.localName, type: (el.getAttribute('type') || '').toLowerCase(), editable: !!el.isContentEditable, " +
    "autocomplete: (el.getAttribute('autocomplete') || '').toLowerCase(), inputmode: (el.getAttribute('inputmode') || '').toLowerCase(), " +
    "maxLength: typeof el.maxLength === 'number' ? el.maxLength : -1, focused: el === document.activeElement || el.contains(document.activeElement) };",
);

/** A field's current state: value (or text of other elements) and, for check boxes and radios, checked. */
const READ_FIELD = inPage(
  "const tag = el.localName; " +
    "if (tag === 'input' && (el.type === 'checkbox' || el.type === 'radio')) return { value: el.value, checked: el.checked, editable: false }; " +
    "if (tag === 'input' || tag === 'textarea' || tag === 'select') return { value: el.value, editable: false }; " +
    "return { value: el.innerText, editable: true };",
);

function trimSlash(s) {
  return s.replace(/\/+$/, '');
}

/** Recorded origin → local base, from { baseURL, sites } (the same rules as siteRoutes in Lockstep). */
export function siteRoutes(options = {}) {
  const routes = [];
  const hasScheme = (s) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s);
  for (const [key, base] of Object.entries(options.sites || {})) {
    const to = trimSlash(new URL(base).href);
    if (hasScheme(key)) routes.push({ from: new URL(key).origin, to });
    else routes.push({ from: new URL('http://' + key).origin, to }, { from: new URL('https://' + key).origin, to });
  }
  if (options.baseURL !== undefined && PRIMARY_ORIGIN !== null && !routes.some((r) => r.from === PRIMARY_ORIGIN)) {
    routes.push({ from: PRIMARY_ORIGIN, to: trimSlash(new URL(options.baseURL).href) });
  }
  return routes;
}

export function localUrl(url, routes) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  const route = routes.find((r) => r.from === u.origin);
  return route ? route.to + u.pathname + u.search + u.hash : url;
}

export function recordedUrl(url, routes) {
  for (const r of routes) {
    if (url === r.to || url.startsWith(r.to + '/') || url.startsWith(r.to + '?') || url.startsWith(r.to + '#')) {
      const rest = url.slice(r.to.length);
      return r.from + (rest.startsWith('/') ? rest : '/' + rest);
    }
  }
  return url;
}

/** The scope (page or nested frame) a target lives in: frame paths index the frames in document order. */
function scopeOf(page, frame) {
  let scope = page;
  for (const index of frame || []) scope = scope.frameLocator('iframe, frame').nth(index);
  return scope;
}

function standIn(info) {
  let kind = 'text';
  if (info.autocomplete.includes('cc-number') || info.autocomplete.includes('cc-exp') || info.autocomplete.includes('cc-csc') || info.autocomplete.includes('one-time-code')) {
    kind = ['cc-number', 'cc-exp', 'cc-csc', 'one-time-code'].find((k) => info.autocomplete.includes(k));
  } else if (['email', 'tel', 'url', 'number'].includes(info.type)) kind = info.type;
  else if (info.inputmode === 'numeric') kind = 'one-time-code';
  else if (info.inputmode === 'email' || info.inputmode === 'tel' || info.inputmode === 'url') kind = info.inputmode;
  const value = MASKED_STAND_INS[kind];
  return info.maxLength > 0 ? value.slice(0, info.maxLength) : value;
}

function createRunner(page, options) {
  const o = { ...DEFAULTS, ...options };
  const routes = siteRoutes(o);
  const notes = [];
  let step = -1;
  const note = (text) => notes.push({ step, text });

  function local(url) {
    const mapped = localUrl(url, routes);
    let host = '';
    try {
      host = new URL(mapped).hostname;
    } catch {
      // not a URL with a host: opened as it is
    }
    if (host.endsWith('.invalid')) {
      throw new Error('no local copy for ' + new URL(url).origin + ': pass --site ' + new URL(url).host + '=URL (or sites: { "' + new URL(url).host + '": URL })');
    }
    return mapped;
  }

  /** Waits for the current document (and a navigation just started) to load. */
  async function settle() {
    await page.waitForLoadState('load', { timeout: o.navigationTimeoutMs }).catch(() => {});
  }

  /** The element of a target: role + name, then CSS, each only when exactly one element matches. */
  async function locate(t) {
    if (!t) return null;
    const scope = scopeOf(page, t.frame);
    const candidates = [];
    if (t.role && t.name) candidates.push(['role', () => scope.getByRole(t.role, { name: t.name, exact: true })]);
    candidates.push(['selector', () => scope.locator(t.selector)]);
    const deadline = Date.now() + o.locateTimeoutMs;
    const counts = {};
    for (;;) {
      for (const [via, make] of candidates) {
        let locator = null;
        let n = 0;
        try {
          locator = make();
          n = await locator.count();
        } catch {
          n = 0; // an unknown role, a selector this engine cannot parse, a frame that is gone
        }
        counts[via] = n;
        if (n === 1) return { locator, via };
      }
      if (Date.now() >= deadline) break;
      await sleep(100);
    }
    note('no unique element for ' + JSON.stringify(t.role && t.name ? t.role + ' ' + t.name : t.selector) + ' (matches: ' + JSON.stringify(counts) + ')');
    return null;
  }

  /** The recorded point's offset inside the target's box, when it still fits the element. */
  async function positionIn(found, t, point) {
    if (!t || !t.box || !point) return undefined;
    const x = point.x - t.box.x;
    const y = point.y - t.box.y;
    if (x < 0 || y < 0 || x > t.box.w || y > t.box.h) return undefined;
    const box = await found.locator.boundingBox().catch(() => null);
    if (!box || x >= box.width || y >= box.height) return undefined;
    return { x, y };
  }

  async function withModifiers(modifiers, action) {
    for (const m of modifiers || []) await page.keyboard.down(m);
    try {
      await action();
    } finally {
      for (const m of [...(modifiers || [])].reverse()) await page.keyboard.up(m);
    }
  }

  /** Moves the pressed pointer along a path, in steps of about 10 px. */
  async function movePath(path, from) {
    let prev = from;
    for (const p of path) {
      const steps = Math.max(1, Math.min(30, Math.round(Math.hypot(p.x - prev.x, p.y - prev.y) / 10)));
      await page.mouse.move(p.x, p.y, { steps });
      prev = p;
    }
  }

  /** Waits until the page stops scrolling (wheel scrolling may be animated). */
  async function scrollIdle() {
    let last = '';
    for (let i = 0; i < 20; i++) {
      await sleep(50);
      const now = await page.evaluate('window.scrollX + "," + window.scrollY').catch(() => '');
      if (now === last) return;
      last = now;
    }
  }

  return {
    at(index) {
      step = index;
    },

    async start() {
      if (VIEWPORT && o.viewport !== false) {
        const current = page.viewportSize();
        if (!current || current.width !== VIEWPORT.width || current.height !== VIEWPORT.height) await page.setViewportSize(VIEWPORT);
      }
    },

    async goto(url) {
      await page.goto(local(url), { waitUntil: 'load', timeout: o.navigationTimeoutMs });
    },

    /** Back or forward to a URL (the recording cannot tell which): back, unless forward gets there. */
    async history(url) {
      const want = local(url);
      const before = page.url();
      await page.goBack({ waitUntil: 'load', timeout: o.navigationTimeoutMs }).catch(() => null);
      if (page.url() === want) return;
      if (page.url() !== before) await page.goForward({ waitUntil: 'load', timeout: o.navigationTimeoutMs }).catch(() => null);
      await page.goForward({ waitUntil: 'load', timeout: o.navigationTimeoutMs }).catch(() => null);
      if (page.url() !== want) note('neither back nor forward reached ' + url);
    },

    /** Waits until the page is at a recorded URL (after a link, a form or a script moved it). */
    async expectUrl(url) {
      const want = local(url);
      if (page.url() !== want) {
        await page.waitForURL((u) => u.href === want, { timeout: o.urlTimeoutMs, waitUntil: 'load' }).catch(() => note('the page did not reach ' + url + ' (it is at ' + recordedUrl(page.url(), routes) + ')'));
      }
      await settle();
    },

    async click(t, point, opts) {
      const button = opts.button;
      const clickCount = opts.clickCount || 1;
      const found = await locate(t);
      if (found) {
        try {
          const position = await positionIn(found, t, point);
          await found.locator.click({ button, clickCount, modifiers: opts.modifiers, position, timeout: o.actionTimeoutMs });
          await settle();
          return;
        } catch (err) {
          note('click on the element failed, using the recorded point: ' + String(err && err.message ? err.message : err).split('\n')[0]);
        }
      }
      await withModifiers(opts.modifiers, () => page.mouse.click(point.x, point.y, { button, clickCount }));
      await settle();
    },

    async drag(source, target, path, opts) {
      const start = path[0];
      const end = path[path.length - 1];
      const from = await locate(source);
      if (opts.via === 'html5' && !(opts.modifiers && opts.modifiers.length) && from) {
        const to = await locate(target);
        if (to) {
          try {
            await from.locator.dragTo(to.locator, {
              sourcePosition: await positionIn(from, source, start),
              targetPosition: await positionIn(to, target, end),
              timeout: o.actionTimeoutMs,
            });
            await settle();
            return;
          } catch (err) {
            note('dragTo failed, replaying the pointer path: ' + String(err && err.message ? err.message : err).split('\n')[0]);
          }
        }
      }
      // Pointer drag: the path, moved with the dragged element when it is somewhere else now.
      let dx = 0;
      let dy = 0;
      if (from && source && source.box) {
        await from.locator.scrollIntoViewIfNeeded({ timeout: o.actionTimeoutMs }).catch(() => {});
        const box = await from.locator.boundingBox().catch(() => null);
        if (box) {
          dx = box.x - source.box.x;
          dy = box.y - source.box.y;
        }
      }
      const moved = path.map((p) => ({ x: p.x + dx, y: p.y + dy }));
      await withModifiers(opts.modifiers, async () => {
        await page.mouse.move(moved[0].x, moved[0].y);
        await page.mouse.down({ button: opts.button });
        await movePath(moved.slice(1), moved[0]);
        await page.mouse.up({ button: opts.button });
      });
      await settle();
    },

    async scroll(point, dx, dy, opts = {}) {
      let at = point;
      if (opts.container) {
        // Wheel over the container; over its middle when the recorded point is no longer in it.
        const found = await locate(opts.container);
        const box = found ? await found.locator.boundingBox().catch(() => null) : null;
        if (box && !(point.x >= box.x && point.x <= box.x + box.width && point.y >= box.y && point.y <= box.y + box.height)) {
          at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
        }
      }
      await page.mouse.move(at.x, at.y);
      await withModifiers(opts.modifiers, () => page.mouse.wheel(dx, dy));
      await scrollIdle();
    },

    /** Makes a field hold text: fill for inputs and text areas, select all + insert for rich text. */
    async type(t, text) {
      const found = await locate(t);
      if (!found) {
        note('typing into whatever has focus');
        await page.keyboard.insertText(text);
        return;
      }
      const info = await found.locator.evaluate(FIELD_INFO);
      if (info.tag === 'input' || info.tag === 'textarea') {
        await found.locator.fill(text, { timeout: o.actionTimeoutMs });
      } else if (info.editable) {
        if (!info.focused) await found.locator.focus({ timeout: o.actionTimeoutMs });
        await page.keyboard.press('ControlOrMeta+A');
        if (text === '') await page.keyboard.press('Delete');
        else await page.keyboard.insertText(text);
      } else {
        // Keys typed outside any field (shortcuts, a canvas, a game): type them as keys.
        await page.keyboard.type(text);
      }
    },

    async typeMasked(t) {
      const found = await locate(t);
      if (!found) throw new Error('cannot find the masked field ' + JSON.stringify(t ? t.selector : null) + ' to fill a stand-in value');
      const info = await found.locator.evaluate(FIELD_INFO);
      const value = standIn(info);
      if (info.tag === 'input' || info.tag === 'textarea') await found.locator.fill(value, { timeout: o.actionTimeoutMs });
      else {
        await found.locator.focus({ timeout: o.actionTimeoutMs });
        await page.keyboard.press('ControlOrMeta+A');
        await page.keyboard.insertText(value);
      }
    },

    async select(t, value) {
      const found = await locate(t);
      if (!found) throw new Error('cannot find the select ' + JSON.stringify(t ? t.selector : null));
      await found.locator.selectOption(value, { timeout: o.actionTimeoutMs });
    },

    async press(key, count = 1) {
      for (let i = 0; i < count; i++) await page.keyboard.press(key);
      await settle();
    },

    async wait(ms) {
      await sleep(Math.min(ms, o.maxWaitMs));
    },

    finish() {
      return { notes };
    },

    /** An error of a step, named by its index (the comment above it in the script says what it does). */
    failed(err) {
      const message = err && err.message ? err.message : String(err);
      const wrapped = new Error('step ' + step + ': ' + message.split('\n')[0]);
      wrapped.step = step;
      wrapped.notes = notes;
      wrapped.cause = err;
      return wrapped;
    },
  };
}

/**
 * The page's state where EXPECTED_FINAL looks: the URL (mapped back to the recorded site) and
 * each field's value (innerText for rich text) or checked state, read in its frame.
 */
export async function readFinalState(page, options = {}) {
  const routes = siteRoutes(options);
  const expected = EXPECTED_FINAL || { fields: [] };
  const fields = [];
  for (const f of expected.fields) {
    const locator = scopeOf(page, f.frame).locator(f.selector);
    const n = await locator.count().catch(() => 0);
    fields.push(n === 0 ? { selector: f.selector, found: false } : { selector: f.selector, found: true, ...(await locator.first().evaluate(READ_FIELD)) });
  }
  return { url: recordedUrl(page.url(), routes), fields };
}

/** Compares a state read by readFinalState with EXPECTED_FINAL; masked fields only need to be non-empty. */
export function compareFinalState(state) {
  const expected = EXPECTED_FINAL || { fields: [] };
  const url = { expected: expected.url === undefined ? null : expected.url, actual: state.url, ok: expected.url === undefined || expected.url === state.url };
  const fields = expected.fields.map((f, i) => {
    const seen = state.fields[i];
    if (!seen || !seen.found) return { selector: f.selector, expected: f.masked ? '[masked]' : f.checked !== undefined ? f.checked : f.value, actual: null, ok: false };
    if (f.masked) return { selector: f.selector, expected: '[masked]', actual: seen.value ? '[filled]' : '', ok: !!seen.value };
    if (f.checked !== undefined) return { selector: f.selector, expected: f.checked, actual: seen.checked === undefined ? null : seen.checked, ok: seen.checked === f.checked };
    // innerText of rich text may end in line breaks that no one typed (a trailing <br>).
    const norm = (v) => (seen.editable ? v.replace(/\n+$/, '') : v);
    const want = f.value === undefined ? '' : f.value;
    return { selector: f.selector, expected: want, actual: seen.value, ok: norm(seen.value) === norm(want) };
  });
  return { ok: url.ok && fields.every((f) => f.ok), url, fields };
}

async function loadPlaywright() {
  try {
    return await import('playwright-core');
  } catch {
    // Not next to this file: look where the command runs.
    try {
      const { createRequire } = await import('node:module');
      const { pathToFileURL } = await import('node:url');
      const resolved = createRequire(process.cwd() + '/').resolve('playwright-core');
      return await import(pathToFileURL(resolved).href);
    } catch {
      throw new Error('playwright-core is not installed next to this script or in the current folder (npm install playwright-core)');
    }
  }
}

function parseArgs(argv) {
  const options = { sites: {}, headed: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(arg + ' needs a value');
      return argv[++i];
    };
    if (arg === '--base-url') options.baseURL = value();
    else if (arg === '--site') {
      const spec = value();
      const eq = spec.indexOf('=');
      if (eq <= 0) throw new Error('--site takes SITE=URL, e.g. --site site-1.invalid=http://localhost:4173');
      options.sites[spec.slice(0, eq)] = spec.slice(eq + 1);
    } else if (arg === '--headed') options.headed = true;
    else if (arg === '--help' || arg === '-h') options.help = true;
    else throw new Error('unknown option ' + arg + ' (try --help)');
  }
  return options;
}

async function main(argv) {
  const options = parseArgs(argv);
  if (options.help) {
    console.log('usage: node ' + process.argv[1] + ' [--base-url URL] [--site SITE=URL]... [--headed]');
    return 0;
  }
  const playwright = await loadPlaywright();
  const chromium = playwright.chromium || (playwright.default && playwright.default.chromium);
  const browser = await chromium.launch({
    executablePath: process.env.LOCKSTEP_CHROMIUM || '/usr/bin/chromium',
    headless: !options.headed,
    args: CHROMIUM_ARGS,
  });
  try {
    const context = await browser.newContext(VIEWPORT ? { viewport: VIEWPORT } : {});
    const page = await context.newPage();
    const { notes } = await replay(page, options);
    const result = compareFinalState(await readFinalState(page, options));
    console.log(JSON.stringify({ episode: EPISODE, ...result, notes }, null, 2));
    return result.ok ? 0 : 1;
  } finally {
    await browser.close();
  }
}

async function runByNode() {
  if (typeof process === 'undefined' || !process.argv || !process.argv[1]) return false;
  try {
    const { pathToFileURL } = await import('node:url');
    const { realpathSync } = await import('node:fs');
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (await runByNode()) {
  process.exitCode = await main(process.argv.slice(2)).catch((err) => {
    console.error('replay failed: ' + (err && err.message ? err.message : String(err)));
    return 1;
  });
}
`;
