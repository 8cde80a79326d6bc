import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serverRedactor } from '../content/redactor.ts';
import { ApiFailure } from '../http/errors.ts';
import type { ProgramRecord } from '../store/types.ts';
import { exportedEpisodes, tempLockstep } from '../testing/fixtures.ts';
import { deleteEpisode } from './episodes.ts';
import { downloadLines, effectiveSettings, maskUrlText } from './exports.ts';
import { revokeGrant } from './grants.ts';

let env: Awaited<ReturnType<typeof tempLockstep>>;
const now = Date.UTC(2026, 4, 2, 8);
beforeEach(async () => {
  env = await tempLockstep(() => now);
});
afterEach(() => env.cleanup());

const collect = async (lines: AsyncGenerator<string>) => {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
};

describe('downloading an export', () => {
  it('builds one line per live episode of the manifest, logging each before it is sent, and leaves deleted ones out', async () => {
    const { lockstep } = env;
    const w = await exportedEpisodes(lockstep, now);
    const [x] = w.exports;
    const sent: string[] = [];
    const beforeSend = async (episode: { id: string }) => {
      sent.push(episode.id);
    };
    const lines = await collect(downloadLines(lockstep, x!.record, w.program, { beforeSend }));
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(x!.manifest.map((m) => m.localId));
    expect(sent).toEqual(x!.manifest.map((m) => m.episodeId));
    await deleteEpisode(lockstep, w.episodes[0]!);
    const after = await collect(downloadLines(lockstep, x!.record, w.program, { beforeSend }));
    expect(after).toHaveLength(2);
    expect(after.join('')).not.toContain(x!.manifest.find((m) => m.episodeId === w.episodes[0]!.id)!.localId);
  });

  it('stops at the next episode once the grant is revoked', async () => {
    const { lockstep } = env;
    const w = await exportedEpisodes(lockstep, now);
    const lines = downloadLines(lockstep, w.exports[0]!.record, w.program, { beforeSend: async () => undefined });
    expect((await lines.next()).done).toBe(false);
    await revokeGrant(lockstep, w.grant, w.researcher);
    const refused = await lines.next().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiFailure);
    expect(refused).toMatchObject({ status: 409, error: 'grant-not-active' });
  });
});

describe('export settings of a download', () => {
  const program = (exportSites: string[], exportPageText: boolean) => ({ exportSites, exportPageText }) as ProgramRecord;
  it('are the stricter of those the export was made with and the current ones', () => {
    expect(effectiveSettings({ exportSites: ['a.example', 'b.example'], exportPageText: true }, program(['b.example', 'c.example'], true))).toEqual({ exportSites: ['b.example'], exportPageText: true });
    expect(effectiveSettings({ exportSites: ['a.example'], exportPageText: false }, program(['a.example'], true))).toEqual({ exportSites: ['a.example'], exportPageText: false });
    expect(effectiveSettings({ exportSites: ['a.example'], exportPageText: true }, program([], false))).toEqual({ exportSites: [], exportPageText: false });
  });
});

describe('maskUrlText', () => {
  const redactor = serverRedactor();
  it('masks what the redactor finds once path, query and fragment are percent-decoded', () => {
    const masked = maskUrlText('https://site-1.invalid/users/alice.martin%40example.org/profile?who=alice.martin%40example.org&page=2#to=alice.martin%40example.org', redactor);
    expect(masked).not.toMatch(/alice|martin|example\.org/);
    expect(masked.startsWith('https://site-1.invalid/users/')).toBe(true);
    expect(masked).toContain('page=2');
  });
  it('leaves a URL without findings exactly as it was', () => {
    for (const url of ['https://site-2.invalid/search?q=red+shoes&size=42#top', 'https://docs.example.com/guide/exports', 'about:blank']) expect(maskUrlText(url, redactor)).toBe(url);
  });
});
