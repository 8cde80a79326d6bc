import type { CaptureEvent } from '@lockstep/schema';

/** Text rendering of sessions and events for the terminal. */

export interface SessionSummary {
  id: string;
  device: string;
  createdAt: string;
  firstT?: number | null;
  lastT?: number | null;
  eventCount: number;
  batchCount: number;
  counts: Record<string, number>;
  origins: string[];
}

export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export function sessionsTable(sessions: SessionSummary[]): string {
  if (sessions.length === 0) return 'no sessions\n';
  const rows = [['SESSION', 'STARTED', 'DURATION', 'EVENTS', 'ORIGINS']];
  for (const s of sessions) {
    const span = s.firstT != null && s.lastT != null ? formatDuration(s.lastT - s.firstT) : '-';
    rows.push([s.id, s.createdAt.replace('T', ' ').slice(0, 19), span, String(s.eventCount), s.origins.join(' ') || '-']);
  }
  return table(rows);
}

function describeTarget(e: CaptureEvent): string {
  const target = 'target' in e ? e.target : undefined;
  if (!target) return '';
  const label = target.name ? `${target.role ?? target.tag} "${target.name}"` : (target.role ?? target.tag);
  return `${label} ${target.selector}${target.masked ? ' [masked]' : ''}`;
}

function describeDetail(e: CaptureEvent): string {
  switch (e.type) {
    case 'pointer':
      return `${e.kind} at ${Math.round(e.x)},${Math.round(e.y)}`;
    case 'wheel':
      return `dx=${e.dx} dy=${e.dy}`;
    case 'scroll':
      return `to ${Math.round(e.scrollX)},${Math.round(e.scrollY)}`;
    case 'key': {
      const mods = Object.entries(e.mods).filter(([, v]) => v).map(([k]) => k);
      return `${e.kind} ${[...mods, e.key].join('+')}${e.masked ? ' (withheld)' : ''}`;
    }
    case 'input':
      if (e.masked) return 'value withheld';
      if (e.checked !== undefined) return `checked=${e.checked}`;
      return JSON.stringify(e.value ?? '');
    case 'focus':
      return e.kind;
    case 'navigation':
      return `${e.kind} ${e.url}`;
    case 'viewport':
      return `${e.width}x${e.height} @${e.dpr}x`;
    case 'marker':
      return `${e.kind}${e.reason ? ` (${e.reason})` : ''}`;
  }
}

export function eventsTable(events: CaptureEvent[], opts: { skipMoves?: boolean } = {}): string {
  const rows = [['SEQ', 'T', 'TYPE', 'DETAIL', 'TARGET']];
  let skipped = 0;
  for (const e of events) {
    if (opts.skipMoves && e.type === 'pointer' && e.kind === 'move') {
      skipped++;
      continue;
    }
    rows.push([String(e.seq), `${(e.t / 1000).toFixed(3)}s`, e.type, describeDetail(e), describeTarget(e)]);
  }
  return table(rows) + (skipped ? `(${skipped} mouse moves not shown)\n` : '');
}

export function countByType(events: readonly CaptureEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) counts[e.type] = (counts[e.type] ?? 0) + 1;
  return counts;
}
