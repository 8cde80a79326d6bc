/**
 * A duration as people write it: `90s`, `10m`, `2h`, `1h30m`, `1d`, or a bare number of
 * minutes. Returns milliseconds; throws a message that shows the accepted forms.
 */
export function parseDuration(text: string): number {
  const s = text.trim().toLowerCase();
  const bad = () => new Error(`"${text}" is not a duration: write it like 90s, 10m, 2h or 1h30m`);
  if (/^\d+(\.\d+)?$/.test(s)) {
    const minutes = Number(s);
    if (minutes <= 0) throw bad();
    return Math.round(minutes * 60_000);
  }
  const unit: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  const re = /(\d+(?:\.\d+)?)(ms|d|h|m|s)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * unit[m[2]!]!;
    matched = re.lastIndex;
  }
  if (matched !== s.length || s.length === 0 || total <= 0) throw bad();
  return Math.round(total);
}

/** `1h 30m`, `45 s`: a duration for people. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', r && !h ? `${r}s` : ''].filter(Boolean).join(' ') || '0s';
}
