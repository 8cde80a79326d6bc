import type { Redactor } from '@lockstep/redact';
import { type TrajectoryRecord, buildTrajectory, createSiteAliases, toJsonlLine } from '@lockstep/trajectory';
import { serverRedactor } from '../content/redactor.ts';
import { KeyDestroyedError } from '../crypto/keyring.ts';
import { ApiFailure, notFound } from '../http/errors.ts';
import type { Lockstep } from '../lockstep.ts';
import type { ResourceRef } from '../policy/authorize.ts';
import type { EpisodeRecord, ExportRecord, ExportSettings, GrantRecord, ManifestRow, ProgramRecord } from '../store/types.ts';
import { readEpisodeContent } from './episodes.ts';
import { grantState } from './grants.ts';
import { newLocalId, newRecordId } from './ids.ts';

/**
 * Exports: a researcher's de-identified copy of the released episodes of a grant's dataset.
 *
 * Making one writes only a manifest: a random local id per episode (never derived from the
 * episode id, so two exports cannot be joined on it). The content is built when the export is
 * downloaded, one trajectory record at a time, and only while the grant is still active: the
 * subject becomes a pseudonym of this export alone, times are relative to the episode, sites are
 * aliased unless the program names them, and page text is masked unless the program allows it.
 * (Site aliases are numbered in the order a download meets the sites, so a download made after
 * an episode was deleted may number them differently from an earlier one.)
 * An episode deleted since is left out, and its local id is on the revocation feed.
 */

export const exportRef = (x: ExportRecord): ResourceRef => ({ type: 'Export', id: x.id, requester: x.requesterId, grant: x.grantId });

/** The UTC day of a time, YYYY-MM-DD: exports say when they were made to the day, no finer. */
export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export async function loadExport(lockstep: Lockstep, id: string): Promise<ExportRecord> {
  const record = await lockstep.store.exports.get(id);
  if (!record) throw notFound('export');
  return record;
}

/** True while the grant allows exports: approved and not expired (the policy also wants another person's approval). */
export const grantActive = (grant: GrantRecord, now: number): boolean => grantState(grant, now) === 'approved';

/** 409 for the grant's own requester: why an export through it is refused now, and what to do. */
export function grantNotActive(grant: GrantRecord, now: number): ApiFailure {
  const state = grantState(grant, now);
  const what =
    state === 'expired'
      ? `expired on ${new Date(grant.expiresAt).toISOString()}`
      : state === 'revoked'
        ? 'was revoked'
        : state === 'denied'
          ? 'was denied'
          : 'is still waiting for a steward\'s approval';
  const todo = state === 'requested' ? 'ask a steward to approve it' : 'request a new grant (POST /v1/grants) and have a steward approve it';
  return new ApiFailure(409, 'grant-not-active', `grant ${grant.id} ${what}; exports are made and downloaded only through an approved, unexpired grant: ${todo}`);
}

/**
 * The settings a download applies: the stricter of those the export was made with and the
 * program's current ones. Tightening a program reaches every export at once; loosening reaches
 * only exports made afterwards.
 */
export function effectiveSettings(made: ExportSettings, program: ProgramRecord): ExportSettings {
  const now = new Set(program.exportSites);
  return { exportSites: made.exportSites.filter((s) => now.has(s)), exportPageText: made.exportPageText && program.exportPageText };
}

export const newExportId = (): string => newRecordId('exp');

/**
 * Makes export `id` through `grant`: its manifest holds those of `episodeIds` (the released
 * episodes of the grant's dataset, as listed by the caller) that are still released when it is
 * written, and it keeps the program's export settings of this moment.
 */
export async function createExport(
  lockstep: Lockstep,
  input: { id: string; grant: GrantRecord; program: ProgramRecord; episodeIds: readonly string[] },
): Promise<{ record: ExportRecord; manifest: ManifestRow[] }> {
  const { grant, program } = input;
  const record: ExportRecord = {
    id: input.id,
    grantId: grant.id,
    requesterId: grant.requesterId,
    createdAt: lockstep.clock(),
    settings: { exportSites: [...program.exportSites], exportPageText: program.exportPageText },
  };
  const manifest = await lockstep.store.exports.create(record, input.episodeIds, newLocalId);
  return { record, manifest };
}

/**
 * A URL's path, query and fragment with whatever the redactor finds in their percent-decoded
 * text masked. Ingest already checked URLs as they were recorded, but an e-mail address or a
 * token percent-encoded into a query string (`?who=alice%40example.org`) only shows once decoded.
 * The origin is left alone: sites are aliased before this runs.
 */
export function maskUrlText(url: string, redactor: Redactor): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  const clean = (text: string): string | undefined => {
    const found = redactor.find(text);
    return found.length > 0 ? redactor.mask(text, found) : undefined;
  };
  const decode = (text: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  let changed = false;
  const path = u.pathname
    .split('/')
    .map((segment) => {
      const masked = clean(decode(segment));
      if (masked === undefined) return segment;
      changed = true;
      return encodeURIComponent(masked);
    })
    .join('/');
  if (changed) u.pathname = path;
  if (u.search.length > 1) {
    const next = new URLSearchParams();
    let touched = false;
    for (const [key, value] of new URLSearchParams(u.search)) {
      const k = clean(key) ?? key;
      const v = clean(value) ?? value;
      touched ||= k !== key || v !== value;
      next.append(k, v);
    }
    if (touched) u.search = next.toString();
  }
  if (u.hash.length > 1) {
    const masked = clean(decode(u.hash.slice(1)));
    if (masked !== undefined) u.hash = encodeURIComponent(masked);
  }
  return u.href;
}

export interface DownloadOptions {
  /** Called with each episode and its record after it was built and before it is sent (the content-access log entry). */
  beforeSend(episode: EpisodeRecord, record: TrajectoryRecord): Promise<void>;
}

/**
 * The lines of an export's download (application/x-ndjson), built one episode at a time as the
 * reader asks for them. The grant is checked again before every episode: a grant revoked or
 * expired mid-download stops it (409 grant-not-active if nothing was sent yet; otherwise the
 * response is cut short, never ended as if complete). As a last line of defence, a line that
 * names the subject, their session or device, or the episode by its id is never sent.
 */
export async function* downloadLines(lockstep: Lockstep, x: ExportRecord, program: ProgramRecord, options: DownloadOptions): AsyncGenerator<string, void, undefined> {
  const settings = effectiveSettings(x.settings, program);
  const sites = createSiteAliases({ keep: settings.exportSites });
  const redactor = serverRedactor();
  // One export meets the same URLs again and again.
  const urls = new Map<string, string>();
  const url = (raw: string): string => {
    let out = urls.get(raw);
    if (out === undefined) urls.set(raw, (out = maskUrlText(sites.url(raw), redactor)));
    return out;
  };
  for (const row of await lockstep.store.exports.manifest(x.id)) {
    const grant = await lockstep.store.grants.get(x.grantId);
    if (!grant) throw notFound('grant');
    if (!grantActive(grant, lockstep.clock())) throw grantNotActive(grant, lockstep.clock());
    const episode = await lockstep.store.episodes.get(row.episodeId);
    // Deleted since the export was made: its local id is on the revocation feed instead.
    if (!episode || episode.status !== 'released') continue;
    // Manifests are made from the grant's dataset and episodes leave datasets only when deleted; checked all the same.
    if (!(await lockstep.store.episodes.datasetsOf(episode.id)).includes(grant.datasetId)) continue;
    let events;
    let context;
    try {
      ({ events, context } = await readEpisodeContent(lockstep, episode));
    } catch (error) {
      // Deleted while this download ran.
      if (error instanceof KeyDestroyedError || (error instanceof ApiFailure && error.status === 404)) continue;
      throw error;
    }
    const session = await lockstep.store.sessions.get(episode.sessionId);
    const device = session ? await lockstep.store.devices.get(session.deviceId) : undefined;
    const platform = device?.platform === 'desktop' ? 'desktop' : device?.platform === 'browser' ? 'web' : undefined;
    const record = buildTrajectory(events, {
      id: row.localId,
      subject: lockstep.keyring.pseudonym(`export/${x.id}`, episode.subjectId),
      task: episode.label,
      ...(platform ? { platform } : {}),
      url,
      maskPageText: !settings.exportPageText,
      // The page an episode cut in the middle of a page visit starts on (sealed with it on release).
      context,
    });
    events.length = 0;
    context.length = 0;
    const line = toJsonlLine(record);
    for (const id of [episode.subjectId, episode.sessionId, episode.id, session?.deviceId]) {
      if (id && line.includes(id)) throw new Error('a trajectory record names the episode, its subject, session or device; the download was stopped');
    }
    await options.beforeSend(episode, record);
    yield line;
  }
}
