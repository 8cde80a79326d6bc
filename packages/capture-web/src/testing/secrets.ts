// Checks that a secret typed during a test left no trace in the recorded events.
import type { CaptureEvent } from '@lockstep/schema';

/**
 * The parts of `secret` found in the events' JSON: the whole secret, and every substring of
 * length `n` (4 by default). Numbers are blanked first and digit-only parts are checked as
 * 8-digit runs, because timestamps, coordinates and port numbers are digits too; a typed
 * secret can only leak through strings.
 */
export function leaks(events: readonly CaptureEvent[], secret: string, n = 4): string[] {
  const json = JSON.stringify(events, (_k, v: unknown) => (typeof v === 'number' ? 0 : v));
  const has = (part: string) => json.includes(part) || json.includes(JSON.stringify(part).slice(1, -1));
  const found: string[] = [];
  if (has(secret)) found.push(secret);
  for (let i = 0; i + n <= secret.length; i++) {
    const part = secret.slice(i, i + n);
    if (!/^\d+$/.test(part) && has(part)) found.push(part);
  }
  const digits = secret.replace(/\D/g, '');
  for (let i = 0; i + 8 <= digits.length; i++) if (has(digits.slice(i, i + 8))) found.push(digits.slice(i, i + 8));
  return found;
}
