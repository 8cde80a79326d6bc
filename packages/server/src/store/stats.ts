import type { BatchStats, SessionStats } from './types.ts';

/** At most this many origins are kept per session. */
export const MAX_ORIGINS = 200;

export const emptyStats = (): SessionStats => ({ firstT: null, lastT: null, eventCount: 0, batchCount: 0, rawBytes: 0, storedBytes: 0, counts: {}, origins: [], remasked: {} });

/** Folds one batch's stats and sizes into a session's. Batches may arrive in any order. */
export function mergeStats(session: SessionStats, batch: BatchStats, sizes: { rawBytes: number; storedBytes: number }): SessionStats {
  const counts = { ...session.counts };
  for (const [type, n] of Object.entries(batch.counts)) counts[type] = (counts[type] ?? 0) + n;
  const remasked = { ...session.remasked };
  for (const [kind, n] of Object.entries(batch.remasked)) remasked[kind] = (remasked[kind] ?? 0) + n;
  const origins = [...session.origins];
  for (const origin of batch.origins) {
    if (origins.length >= MAX_ORIGINS) break;
    if (!origins.includes(origin)) origins.push(origin);
  }
  return {
    firstT: session.firstT === null ? batch.firstT : Math.min(session.firstT, batch.firstT),
    lastT: session.lastT === null ? batch.lastT : Math.max(session.lastT, batch.lastT),
    eventCount: session.eventCount + batch.eventCount,
    batchCount: session.batchCount + 1,
    rawBytes: session.rawBytes + sizes.rawBytes,
    storedBytes: session.storedBytes + sizes.storedBytes,
    counts,
    origins,
    remasked,
  };
}
