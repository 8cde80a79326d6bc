// replayRecord() in real Chromium on the sample apps: the fresh-browser path, site aliases,
// the locator fallbacks, frames, untrusted text, the standalone script run by Node, and the
// errors a caller gets for records that cannot be replayed.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Target } from '@lockstep/schema';
import { createSiteAliases, toPlaywrightScript } from '@lockstep/trajectory';
import type { Action, TrajectoryRecord } from '@lockstep/trajectory';
import { replayRecord } from './runner.ts';
import { fixtureRecord, suiteTasks, useReplayRig } from './testing.ts';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const task = (name: string) => suiteTasks().find((t) => t.name === name)!;

const rig = useReplayRig();

/** A record of hand-made steps on the sign-up page, with the given final fields. */
function signupRecord(actions: Action[], fields: NonNullable<TrajectoryRecord['final']>['fields']): TrajectoryRecord {
  const base = fixtureRecord(task('signup-plan-keyboard'));
  const first = base.steps[0]!;
  const steps = [first, ...actions.map((action, i) => ({ index: i + 1, action }))];
  return { ...base, id: 'hand-made', steps, counts: {}, final: { url: 'http://samples.test/signup/', fields } };
}

const typeAction = (target: Target, text: string, at: number): Action => ({ seq: { from: at, to: at }, t: at, duration: 0, kind: 'type', target, text });

describe('replayRecord', () => {
  it('launches a fresh Chromium of its own when given no browser', async () => {
    const result = await replayRecord(fixtureRecord(task('signup-validation')), { baseURL: rig.samples.url });
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.url).toEqual({ expected: 'http://samples.test/signup/#/sent', actual: 'http://samples.test/signup/#/sent', ok: true });
    expect(result.fields).toEqual([{ selector: '#username', expected: 'alan_turing', actual: 'alan_turing', ok: true }]);
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it('replays an export with site aliases through a site mapping, and says which site is missing', async () => {
    const aliases = createSiteAliases();
    const record = fixtureRecord(task('shop-search-add'), { url: aliases.url });
    expect(record.apps).toEqual(['http://site-1.invalid']);
    const result = await replayRecord(record, { browser: rig.browser, sites: { 'site-1.invalid': rig.samples.url } });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect(result.url.actual).toBe('http://site-1.invalid/shop/product.html?id=2');
    const unmapped = await replayRecord(record, { browser: rig.browser });
    expect(unmapped.ok).toBe(false);
    expect(unmapped.error).toBe('step 0: no local copy for http://site-1.invalid: pass --site site-1.invalid=URL (or sites: { "site-1.invalid": URL })');
  });

  it('falls back to the selector, then to the recorded point, and says so', async () => {
    const record = fixtureRecord(task('signup-fill'));
    for (const { action } of record.steps) {
      if (!('target' in action) || !action.target) continue;
      // The button's name changed: found by its selector. The check box lost both: clicked where it was.
      if (action.target.selector === '#send') action.target = { ...action.target, name: 'Submit' };
      if (action.target.selector === '#remember') action.target = { ...action.target, name: 'Keep me', selector: '#keep-me' };
    }
    const result = await replayRecord(record, { browser: rig.browser, baseURL: rig.samples.url, script: { locateTimeoutMs: 300 } });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect(result.notes).toEqual([{ step: 7, text: 'no unique element for "checkbox Keep me" (matches: {"role":0,"selector":0})' }]);
    expect(result.fields.find((f) => f.selector === '#remember')).toEqual({ selector: '#remember', expected: true, actual: true, ok: true });
    // The password's stand-in is not shown.
    expect(result.fields.find((f) => f.selector === '#password')).toEqual({ selector: '#password', expected: '[masked]', actual: '[filled]', ok: true });
  });

  it('types untrusted text exactly, into a frame too, and reads fields in frames', async () => {
    const evil = 'x */ y `${globalThis.pwned = 1}` \\ " \' </script><script>alert(1)</script>\nline two \u2028 // end';
    const message: Target = { tag: 'textarea', role: 'textbox', name: 'Message', selector: '#message' };
    const email: Target = { tag: 'input', role: 'textbox', name: 'Email', selector: '#email', frame: [0] };
    const record = signupRecord(
      [typeAction(message, evil, 1), typeAction(email, 'ada@example.com', 2)],
      [
        { selector: '#message', value: evil },
        { selector: '#email', frame: [0], value: 'ada@example.com' },
      ],
    );
    const result = await replayRecord(record, { browser: rig.browser, baseURL: rig.samples.url });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect(result.fields.map((f) => f.actual)).toEqual([evil, 'ada@example.com']);
    expect((globalThis as { pwned?: number }).pwned).toBeUndefined();
  });

  it('compares what the page shows, not what the script claims', async () => {
    const record = fixtureRecord(task('editor-rename'));
    record.final!.fields[0]!.value = 'Monthly notes';
    record.final!.url = 'http://samples.test/editor/#elsewhere';
    const result = await replayRecord(record, { browser: rig.browser, baseURL: rig.samples.url, script: { urlTimeoutMs: 500 } });
    expect(result.ok).toBe(false);
    expect(result.url).toEqual({ expected: 'http://samples.test/editor/#elsewhere', actual: 'http://samples.test/editor/', ok: false });
    expect(result.fields).toEqual([{ selector: '#title', expected: 'Monthly notes', actual: 'Weekly notes', ok: false }]);
    expect(result.error).toBeUndefined();
  });

  it('reports records it cannot replay, without throwing', async () => {
    expect(await replayRecord({ format: 'something else' })).toMatchObject({ ok: false, error: expect.stringMatching(/^not a valid trajectory record: /) });
    const record = fixtureRecord(task('board-slider'));
    expect(await replayRecord({ ...record, platform: 'desktop' })).toMatchObject({ ok: false, error: 'episode board-slider is a desktop episode; only web episodes can be replayed in a browser' });
    const { final: _final, ...noFinal } = record;
    expect(await replayRecord(noFinal)).toMatchObject({ ok: false, error: 'episode board-slider has no recorded final state to compare with' });
    const slow = await replayRecord(fixtureRecord(task('shop-checkout')), { browser: rig.browser, baseURL: rig.samples.url, timeoutMs: 300 });
    expect(slow).toMatchObject({ ok: false, error: 'the replay took longer than 300 ms' });
  });
});

describe('the generated script, run by Node', () => {
  /** Runs `node <script> args…` from the repository (where playwright-core is installed). */
  async function run(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const dir = await mkdtemp(join(tmpdir(), 'lockstep-script-'));
    try {
      const file = join(dir, 'episode.mjs');
      await writeFile(file, script);
      const child = spawn(process.execPath, [file, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      return { code, stdout, stderr };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('replays rich text with its own Chromium, prints the final state and exits 0; 1 when it differs', async () => {
    const record = fixtureRecord(task('editor-context-menu'), { url: createSiteAliases().url });
    const good = await run(toPlaywrightScript(record), ['--site', `site-1.invalid=${rig.samples.url}`]);
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    const printed = JSON.parse(good.stdout) as { ok: boolean; url: unknown; fields: unknown[]; notes: unknown[] };
    // The script's own check agrees with replayRecord's.
    const result = await replayRecord(record, { browser: rig.browser, sites: { 'site-1.invalid': rig.samples.url } });
    expect(printed).toEqual({ episode: 'editor-context-menu', ok: true, url: result.url, fields: result.fields, notes: [] });
    expect(result.fields).toEqual([{ selector: '#doc', expected: 'DRAFT agenda', actual: 'DRAFT agenda', ok: true }]);

    record.final!.fields[0]!.value = 'draft agenda';
    const bad = await run(toPlaywrightScript(record), ['--site', `site-1.invalid=${rig.samples.url}`]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, fields: [{ selector: '#doc', expected: 'draft agenda', actual: 'DRAFT agenda', ok: false }] });

    const usage = await run(toPlaywrightScript(record), ['--site', 'nonsense']);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toBe('replay failed: --site takes SITE=URL, e.g. --site site-1.invalid=http://localhost:4173\n');
  });
});
