import { looksLikeCredential } from '../audit/entry.ts';
import { ApiFailure, notFound } from '../http/errors.ts';
import type { Lockstep } from '../lockstep.ts';
import type { DesktopSettings, ExportSettings, ProgramRecord } from '../store/types.ts';
import { normaliseDesktopApps, normaliseTitlePatterns } from './desktop.ts';
import { DEFAULT_IDLE_GAP_MS, MAX_IDLE_GAP_MS, MIN_IDLE_GAP_MS } from './episodes.ts';
import { newRecordId } from './ids.ts';
import { PURPOSES, type Purpose } from './purposes.ts';

/** Programs: what is collected, why (purposes), for how long, and the consent notice. */

export interface NewProgram {
  name: string;
  purposes: Purpose[];
  modalities: string[];
  retentionDays: number;
  idleGapMs?: number | undefined;
  notice: string;
  exportSites?: string[] | undefined;
  exportPageText?: boolean | undefined;
  desktopApps?: string[] | undefined;
  desktopTitles?: string[] | undefined;
  screenshots?: boolean | undefined;
}

export const MAX_EXPORT_SITES = 200;

/**
 * A program's list of host names that exports may name, normalised the way URLs spell host
 * names (lower case, punycode) and without repeats. Refuses (400, naming the entry) anything
 * that is not a bare host name: a scheme, port, path or wildcard, and IP addresses, which point
 * at one machine and are always aliased.
 */
export function normaliseExportSites(sites: readonly string[]): string[] {
  if (sites.length > MAX_EXPORT_SITES) throw new ApiFailure(400, 'invalid_request', `exportSites: at most ${MAX_EXPORT_SITES} host names`, 'exportSites');
  const out = new Set<string>();
  sites.forEach((site, i) => {
    const field = `exportSites[${i}]`;
    const bad = (why: string) => new ApiFailure(400, 'invalid_request', `${field}: ${why}`, field);
    const trimmed = site.trim();
    if (trimmed === '' || /[/:?#@\\\s*[\]]/.test(trimmed)) throw bad('give a bare host name such as docs.example.com (no scheme, port, path or wildcard)');
    let host: string;
    try {
      host = new URL(`http://${trimmed}/`).hostname;
    } catch {
      throw bad('is not a host name');
    }
    if (/^\d+\.\d+\.\d+\.\d+$/.test(host) || /^[0-9.]+$/.test(trimmed)) throw bad('is an IP address; sites on IP addresses are always aliased in exports');
    if (host.length > 253 || !/^[a-z0-9.-]+$/.test(host) || host.startsWith('.') || host.endsWith('.') || host.includes('..')) throw bad('is not a host name');
    out.add(host);
  });
  return [...out];
}

export async function createProgram(lockstep: Lockstep, input: NewProgram, createdBy: string): Promise<ProgramRecord> {
  for (const p of input.purposes) {
    if (!(PURPOSES as readonly string[]).includes(p)) throw new ApiFailure(400, 'invalid_request', `purposes: must be one of ${PURPOSES.join(', ')}`, 'purposes');
  }
  const idleGapMs = input.idleGapMs ?? DEFAULT_IDLE_GAP_MS;
  if (idleGapMs < MIN_IDLE_GAP_MS || idleGapMs > MAX_IDLE_GAP_MS) {
    throw new ApiFailure(400, 'invalid_request', `idleGapMs: must be between ${MIN_IDLE_GAP_MS} and ${MAX_IDLE_GAP_MS}`, 'idleGapMs');
  }
  const exportSites = normaliseExportSites(input.exportSites ?? []);
  const desktopApps = normaliseDesktopApps(input.desktopApps ?? []);
  const desktopTitles = normaliseTitlePatterns(input.desktopTitles ?? []);
  const now = lockstep.clock();
  const program: ProgramRecord = {
    id: newRecordId('prg'),
    name: input.name,
    purposes: [...new Set(input.purposes)],
    modalities: [...new Set(input.modalities)],
    retentionDays: input.retentionDays,
    idleGapMs,
    notice: { version: 1, text: input.notice, updatedAt: now },
    exportSites,
    exportPageText: input.exportPageText ?? false,
    desktopApps,
    desktopTitles,
    screenshots: input.screenshots ?? false,
    paused: null,
    createdBy,
    createdAt: now,
  };
  await lockstep.store.programs.create(program);
  return program;
}

/** A new notice version: every subject of the program must accept it again before capture resumes. */
export async function updateNotice(lockstep: Lockstep, programId: string, text: string): Promise<ProgramRecord> {
  const program = await lockstep.store.programs.get(programId);
  if (!program) throw notFound('program');
  const notice = { version: program.notice.version + 1, text, updatedAt: lockstep.clock() };
  await lockstep.store.programs.setNotice(programId, notice);
  return { ...program, notice };
}

/**
 * Changes what exports of the program may show. Exports made before keep the settings they were
 * made with where those are stricter (see domain/exports.ts), so loosening never reaches back.
 */
export async function updateExportSettings(lockstep: Lockstep, programId: string, change: Partial<ExportSettings>): Promise<ProgramRecord> {
  const program = await loadProgram(lockstep, programId);
  const settings: ExportSettings = {
    exportSites: change.exportSites === undefined ? program.exportSites : normaliseExportSites(change.exportSites),
    exportPageText: change.exportPageText ?? program.exportPageText,
  };
  if (!(await lockstep.store.programs.setExportSettings(program.id, settings))) throw notFound('program');
  return { ...program, ...settings };
}

/**
 * Changes what the desktop agent may record for the program. Devices learn it from their state
 * (GET /v1/device/state) at their next poll; batches uploaded from then on are checked against it.
 */
export async function updateDesktopSettings(lockstep: Lockstep, programId: string, change: Partial<DesktopSettings>): Promise<ProgramRecord> {
  const program = await loadProgram(lockstep, programId);
  const settings: DesktopSettings = {
    desktopApps: change.desktopApps === undefined ? program.desktopApps : normaliseDesktopApps(change.desktopApps),
    desktopTitles: change.desktopTitles === undefined ? program.desktopTitles : normaliseTitlePatterns(change.desktopTitles),
    screenshots: change.screenshots ?? program.screenshots,
  };
  if (!(await lockstep.store.programs.setDesktopSettings(program.id, settings))) throw notFound('program');
  return { ...program, ...settings };
}

export const MAX_PAUSE_REASON = 200;

/** A reason for pausing or resuming, as it will be logged: one line of printable text, and no credential. */
export function checkReason(reason: string): string {
  const text = reason.trim();
  const bad = (why: string) => new ApiFailure(400, 'invalid_request', `reason: ${why}`, 'reason');
  if (text === '') throw bad('say why, in a few words (it is written to the audit log)');
  if (text.length > MAX_PAUSE_REASON) throw bad(`at most ${MAX_PAUSE_REASON} characters`);
  if (/\p{Cc}|\p{Cs}/u.test(text)) throw bad('one line of text, without control characters');
  if (looksLikeCredential(text)) throw bad('looks like it holds a token or a key; those are never logged');
  return text;
}

/**
 * The kill switch: stops capture for every device of the program. Devices learn it from their
 * state (polled every few seconds) and stop; batches captured before still upload (nothing
 * acknowledged is lost). A program already paused stays paused as it was (its first pause's
 * time, author and reason are kept).
 */
export async function pauseProgram(lockstep: Lockstep, programId: string, by: string, reason: string): Promise<ProgramRecord> {
  const program = await loadProgram(lockstep, programId);
  if (program.paused) return program;
  await lockstep.store.programs.pause(program.id, { at: lockstep.clock(), by, reason: checkReason(reason) });
  return loadProgram(lockstep, program.id);
}

/** Ends a pause: devices of the program may capture again (where their subject's consent is current). Resuming a running program changes nothing. */
export async function resumeProgram(lockstep: Lockstep, programId: string): Promise<ProgramRecord> {
  const program = await loadProgram(lockstep, programId);
  if (program.paused) await lockstep.store.programs.resume(program.id);
  return loadProgram(lockstep, program.id);
}

export async function loadProgram(lockstep: Lockstep, id: string): Promise<ProgramRecord> {
  const program = await lockstep.store.programs.get(id);
  if (!program) throw notFound('program');
  return program;
}
