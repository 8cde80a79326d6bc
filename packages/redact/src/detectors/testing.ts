// Test helper (used by the detector tests only): run one detector, get [kind, matched text] pairs.
import type { Finding } from '../types.ts';
import type { Detector } from './detector.ts';
import { mergeFindings } from '../mask.ts';

export function spans(detector: Detector, text: string): [string, string][] {
  const out: Finding[] = [];
  detector.find(text, out);
  return mergeFindings(out).map((f) => [f.kind, text.slice(f.start, f.end)]);
}

/** The matched texts only. */
export function matched(detector: Detector, text: string): string[] {
  return spans(detector, text).map(([, t]) => t);
}
