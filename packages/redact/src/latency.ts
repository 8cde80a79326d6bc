// Latency of a redactor per call, for the keystroke path (the stream buffer re-scans its window
// on each key). Pure: the caller passes its clock (`() => performance.now()` in a browser or Node).
import type { Redactor } from './types.ts';

export interface LatencyReport {
  calls: number;
  /** milliseconds */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * Calls `redactor.find` (and `mask` when `withMask`) once per input and returns latency
 * percentiles. Warm-up calls (not counted) let the JIT settle first.
 */
export function measureLatency(redactor: Redactor, inputs: readonly string[], now: () => number, options: { warmup?: number; withMask?: boolean } = {}): LatencyReport {
  const warmup = options.warmup ?? Math.min(200, inputs.length);
  for (let i = 0; i < warmup; i++) redactor.find(inputs[i % inputs.length]!);
  const times: number[] = [];
  for (const text of inputs) {
    const t0 = now();
    const f = redactor.find(text);
    if (options.withMask) redactor.mask(text, f);
    times.push(now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return { calls: times.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: times[times.length - 1] ?? 0, mean: times.reduce((a, b) => a + b, 0) / (times.length || 1) };
}

/** Every prefix of `text`, as a person typing it produces them (for per-keystroke latency). */
export function keystrokePrefixes(text: string): string[] {
  return Array.from({ length: text.length }, (_, i) => text.slice(0, i + 1));
}
