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
    case 'window':
      return `${e.app} "${e.title}"${e.credential ? ' (credential prompt: keys withheld)' : ''}`;
    case 'frame':
      return `${e.format} ${e.width}x${e.height} (${Math.round((e.data.length * 3) / 4 / 1024)} KiB)`;
  }
}

export interface EventsTableOptions {
  /** Show every event; otherwise mouse moves are hidden and typing on one field is one row. */
  all?: boolean;
}

const targetKey = (e: CaptureEvent) => ('target' in e && e.target ? `${e.target.frame?.join('.') ?? ''}|${e.target.selector}` : '');

export function eventsTable(events: CaptureEvent[], opts: EventsTableOptions = {}): string {
  const rows = [['SEQ', 'T', 'TYPE', 'DETAIL', 'TARGET']];
  let moves = 0;
  let folded = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (!opts.all && e.type === 'pointer' && e.kind === 'move') {
      moves++;
      continue;
    }
    if (!opts.all && (e.type === 'key' || e.type === 'input')) {
      // one row for a run of keys and value changes on the same field
      let j = i;
      let keys = 0;
      let last: Extract<CaptureEvent, { type: 'input' }> | undefined;
      while (j < events.length) {
        const f = events[j]!;
        if ((f.type !== 'key' && f.type !== 'input') || targetKey(f) !== targetKey(e)) break;
        if (f.type === 'key' && f.kind === 'down') keys++;
        if (f.type === 'input') last = f;
        j++;
      }
      if (j - i > 1) {
        const value = last ? (last.masked ? 'value withheld' : last.checked !== undefined ? `checked=${last.checked}` : JSON.stringify(last.value ?? '')) : '';
        rows.push([`${e.seq}–${events[j - 1]!.seq}`, `${(e.t / 1000).toFixed(3)}s`, 'typing', `${keys} keys${value ? ` → ${value}` : ''}`, describeTarget(e)]);
        folded += j - i - 1;
        i = j - 1;
        continue;
      }
    }
    rows.push([String(e.seq), `${(e.t / 1000).toFixed(3)}s`, e.type, describeDetail(e), describeTarget(e)]);
  }
  const notes = [moves ? `${moves} mouse moves hidden` : '', folded ? `typing folded into one row per field` : ''].filter(Boolean);
  return table(rows) + (notes.length ? `(${notes.join('; ')}; --all shows every event)\n` : '');
}

export function countByType(events: readonly CaptureEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) counts[e.type] = (counts[e.type] ?? 0) + 1;
  return counts;
}
