// replayRecord(): replays one web trajectory record in Chromium from its generated Playwright
// script and checks that the page ends where the recording did. The script is written to a
// temporary folder and imported from there, so what runs is exactly what `lockstep replay
// --script` would hand to a person; it has no static imports, so it resolves from anywhere.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '@lockstep/capture-web';
import { TrajectoryRecord, primaryOrigin, siteRoutes, toPlaywrightScript } from '@lockstep/trajectory';
import type { PlaywrightScriptOptions, SiteMapping } from '@lockstep/trajectory';
import type { FieldCheck, StateCheck } from './state.ts';
import { compareFinalState, readFinalState } from './state.ts';

export interface ReplayOptions extends SiteMapping {
  /** Chromium binary (default: $LOCKSTEP_CHROMIUM, then /usr/bin/chromium). */
  chromium?: string;
  /** Default true. */
  headless?: boolean;
  /** Longest the whole replay may take, in ms (default 120000). */
  timeoutMs?: number;
  /** Timeouts and wait cap of the generated script. */
  script?: PlaywrightScriptOptions;
  /**
   * Replay in a fresh context of this browser instead of launching a fresh browser. A context is
   * as isolated as a new browser profile (cookies, storage, cache, permissions); test suites
   * use it to avoid starting Chromium once per episode.
   */
  browser?: Browser;
}

/** A fallback the replay took: no unique element, a failed locator action, a URL not reached. */
export interface ReplayNote {
  step: number;
  text: string;
}

export interface ReplayResult {
  /** True when the replay ran to the end and the page's final state matches the record's. */
  ok: boolean;
  url: StateCheck['url'];
  fields: FieldCheck[];
  notes: ReplayNote[];
  /** Why the replay could not finish (a step that failed, a timeout, a record that cannot be replayed). */
  error?: string;
  durationMs: number;
}

interface ScriptModule {
  replay(page: Page, options: SiteMapping): Promise<{ notes: ReplayNote[] }>;
}

const DEFAULT_TIMEOUT_MS = 120_000;

class ReplayTimeout extends Error {}

/** Runs `work`, rejecting with ReplayTimeout after `ms`. `work` may still settle later: that is ignored. */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => {});
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ReplayTimeout(`the replay took longer than ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

async function importScript(file: string): Promise<ScriptModule> {
  const mod: unknown = await import(pathToFileURL(file).href);
  if (typeof mod !== 'object' || mod === null || typeof (mod as Partial<ScriptModule>).replay !== 'function') {
    throw new Error(`the generated script ${file} exports no replay() function`);
  }
  return mod as ScriptModule;
}

/**
 * Replays a web trajectory record (parsed or as JSON) in a fresh Chromium (or a fresh context
 * of `options.browser`) and compares the final page with `record.final`. Never throws for a
 * replay that fails: the result says why (`error`) and what differed (`url`, `fields`).
 */
export async function replayRecord(input: unknown, options: ReplayOptions = {}): Promise<ReplayResult> {
  const started = performance.now();
  const parsed = TrajectoryRecord.safeParse(input);
  const failed = (error: string): ReplayResult => ({
    ok: false,
    url: { expected: null, actual: '', ok: false },
    fields: [],
    notes: [],
    error,
    durationMs: Math.round(performance.now() - started),
  });
  if (!parsed.success) return failed(`not a valid trajectory record: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; ')}`);
  const record = parsed.data;
  if (record.platform !== 'web') return failed(`episode ${record.id} is a ${record.platform} episode; only web episodes can be replayed in a browser`);
  if (!record.final) return failed(`episode ${record.id} has no recorded final state to compare with`);
  const final = record.final;
  const mapping: SiteMapping = {};
  if (options.baseURL !== undefined) mapping.baseURL = options.baseURL;
  if (options.sites !== undefined) mapping.sites = options.sites;
  let routes: ReturnType<typeof siteRoutes>;
  let script: string;
  try {
    routes = siteRoutes(primaryOrigin(record), mapping);
    script = toPlaywrightScript(record, options.script);
  } catch (err) {
    return failed(messageOf(err));
  }

  const dir = await mkdtemp(join(tmpdir(), 'lockstep-replay-'));
  const own = options.browser === undefined;
  let browser: Browser | undefined = options.browser;
  let context: BrowserContext | undefined;
  /** Set when the replay is given up (timeout): a launch still under way closes what it opens. */
  let abandoned = false;
  let outcome: { notes: ReplayNote[]; error?: string; check: StateCheck } | undefined;
  let error: string | undefined;
  try {
    const file = join(dir, 'episode.mjs');
    await writeFile(file, script, { mode: 0o600 });
    const mod = await importScript(file);
    const run = async (): Promise<NonNullable<typeof outcome>> => {
      if (own) {
        const launched = await launchChromium({ headless: options.headless ?? true, ...(options.chromium !== undefined ? { executablePath: options.chromium } : {}) });
        if (abandoned) {
          await launched.close().catch(() => {});
          throw new ReplayTimeout('abandoned');
        }
        browser = launched;
      }
      context = await browser!.newContext(record.screen ? { viewport: { width: Math.round(record.screen.width), height: Math.round(record.screen.height) } } : {});
      const page = await context.newPage();
      let notes: ReplayNote[] = [];
      let failure: string | undefined;
      try {
        ({ notes } = await mod.replay(page, mapping));
      } catch (err) {
        // A failed step: still read where the page got to, it shows what went wrong.
        failure = messageOf(err);
        const partial = (err as { notes?: unknown }).notes;
        if (Array.isArray(partial)) notes = partial as ReplayNote[];
      }
      const check = compareFinalState(final, await readFinalState(page, final, routes));
      return failure === undefined ? { notes, check } : { notes, check, error: failure };
    };
    try {
      outcome = await within(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, run());
    } finally {
      abandoned = true;
      // Closing also ends whatever a timed-out replay is still waiting for.
      await context?.close().catch(() => {});
      if (own) await browser?.close().catch(() => {});
    }
  } catch (err) {
    error = messageOf(err);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const durationMs = Math.round(performance.now() - started);
  if (!outcome) return { ...failed(error ?? 'the replay stopped before the final state could be read'), durationMs };
  const result: ReplayResult = { ok: outcome.check.ok && outcome.error === undefined, url: outcome.check.url, fields: outcome.check.fields, notes: outcome.notes, durationMs };
  if (outcome.error !== undefined) result.error = outcome.error;
  return result;
}

/** A plain-text table of replay results, one row per episode, for a terminal or a test failure. */
export function formatReplayTable(rows: ReadonlyArray<{ name: string; result: ReplayResult }>): string {
  const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));
  const lines = rows.map(({ name, result: r }) => {
    const problems: string[] = [];
    if (!r.url.ok) problems.push(`url ${show(r.url.actual)} ≠ ${show(r.url.expected)}`);
    for (const f of r.fields) if (!f.ok) problems.push(`${f.selector} ${show(f.actual)} ≠ ${show(f.expected)}`);
    if (r.error !== undefined) problems.push(`error: ${r.error}`);
    const fields = `${r.fields.filter((f) => f.ok).length}/${r.fields.length}`;
    return [name, r.ok ? 'ok' : 'FAIL', r.url.ok ? 'ok' : 'differs', fields, `${(r.durationMs / 1000).toFixed(1)} s`, `${r.notes.length}`, problems.join('; ')];
  });
  const head = ['episode', 'result', 'url', 'fields', 'time', 'fallbacks', 'what differs'];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [row(head), ...lines.map(row)].join('\n');
}
