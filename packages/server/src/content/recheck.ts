import type { CaptureEvent, Redaction, Target } from '@lockstep/schema';
import { type Redactor, createStreamRedactor, isMaskedShape } from '@lockstep/redact';

/**
 * The server's second line of redaction. Devices redact before they upload; this re-runs the
 * same code over every piece of free text a batch carries and masks (in the `shape` style, so
 * offsets stay valid) whatever a device let through, counting it per kind: a device that sends
 * unredacted secrets is broken or forged, and security should hear of it.
 *
 * Typed text (`key` and `input` events) goes through the same stream redactor the recorder
 * runs (`createStreamRedactor` from @lockstep/redact), one hold per field for the whole batch:
 * so a secret typed one key at a time, edited, or pasted is caught in every intermediate value
 * and every key that typed it, exactly as on the device. A secret split across two batches is
 * caught only if each half is a finding on its own: the device's buffer is the line that holds
 * across batches. Navigation URLs and titles, window titles, and the accessible name of every
 * target, are checked as plain strings. Screenshots (`frame`) are images: nothing here reads them.
 *
 * A span that already looks masked (`isMaskedShape`: only `X`, `x` and `9` among its letters and
 * digits, or a placeholder) is the device's own work and is not counted.
 */
export interface RecheckResult {
  /** The batch's events, with anything the device failed to redact masked; the input array when nothing was. */
  events: CaptureEvent[];
  /** Findings masked here, per kind (about one per finding, however many events carried it). Empty when the device did its job. */
  remasked: Record<string, number>;
}

const targetKey = (t: Target | undefined): string | undefined => (t ? `${t.frame?.join('>') ?? ''}|${t.selector}` : undefined);

export function recheckBatch(events: readonly CaptureEvent[], redactor: Redactor): RecheckResult {
  const counted = new Set<string>();
  const remasked: Record<string, number> = {};
  const count = (kind: string, key: string) => {
    if (counted.has(key)) return;
    counted.add(key);
    remasked[kind] = (remasked[kind] ?? 0) + 1;
  };

  /** Masks the findings of a standalone string (URL, title, name) that are not masked already. */
  const maskString = (text: string, where: string): string => {
    const fresh = redactor.find(text).filter((f) => !isMaskedShape(text.slice(f.start, f.end)));
    if (fresh.length === 0) return text;
    for (const f of fresh) count(f.kind, `${where}|${f.kind}|${text.slice(f.start, f.end)}`);
    return redactor.mask(text, fresh);
  };

  // Fields whose text can be read from input values; keys elsewhere are replayed alone.
  const withValues = new Set<string>();
  for (const e of events) if (e.type === 'input' && e.value !== undefined) withValues.add(targetKey(e.target) ?? '');

  // Typed text: the stream redactor masks events in place, so it works on copies.
  const copies = events.map((e) => (e.type === 'key' || e.type === 'input' ? { ...e } : e));
  let failure: string | undefined;
  const stream = createStreamRedactor<CaptureEvent>({
    redactor,
    style: 'shape',
    release: () => undefined,
    onFailure: (reason) => {
      failure = reason;
    },
    now: () => 0,
    maxHoldMs: Number.POSITIVE_INFINITY,
    maxHeldEvents: Number.POSITIVE_INFINITY,
  });
  for (const e of copies) {
    if (e.type === 'input' && e.value !== undefined) stream.push(e, { field: targetKey(e.target) ?? '' });
    else if (e.type === 'key' && !e.masked) {
      const field = targetKey(e.target) ?? '';
      stream.push(e, { field, keysOnly: !withValues.has(field) });
    } else stream.push(e);
  }
  stream.flush();
  // Never store what could not be checked.
  if (failure !== undefined) throw new Error(`the second redaction check failed (${failure})`);

  // Counting: per field, the findings left in its last value, plus one per kind that only
  // earlier values (or, in fields without values, only keys) carried.
  const perField = new Map<string, { last: Redaction[]; kinds: Set<string> }>();
  const fieldOf = (key: string) => {
    let f = perField.get(key);
    if (!f) perField.set(key, (f = { last: [], kinds: new Set() }));
    return f;
  };

  let out: CaptureEvent[] | undefined;
  events.forEach((original, index) => {
    let next = copies[index]!;
    const field = 'target' in original ? (targetKey(original.target) ?? '') : '';
    if (original.type === 'input' && next.type === 'input') {
      if (original.value !== undefined) {
        const before = original.value;
        const fresh = next.value === before ? [] : (next.redactions ?? []).filter((r) => !isMaskedShape(before.slice(r.start, r.end)));
        const f = fieldOf(field);
        f.last = fresh;
        for (const r of fresh) f.kinds.add(r.kind);
        next = fresh.length === 0 ? original : { ...next, redactions: mergeSpans([...(original.redactions ?? []), ...fresh]) };
      } else next = original;
    } else if (original.type === 'key' && next.type === 'key') {
      // A key the device left in clear (or flagged but sent in clear) and the check masked.
      const leaked = next.redacted !== undefined && (!original.redacted || (original.char !== undefined && !isMaskedShape(original.char)));
      if (leaked && !withValues.has(field)) fieldOf(field).kinds.add(next.redacted!.kind);
      if (!leaked) next = original;
    }

    if ('target' in next && next.target?.name) {
      const name = maskString(next.target.name, `name|${field}`);
      if (name !== next.target.name) next = { ...next, target: { ...next.target, name } } as CaptureEvent;
    }
    if (next.type === 'navigation') {
      const url = maskString(next.url, 'url');
      const title = maskString(next.title, 'title');
      if (url !== next.url || title !== next.title) next = { ...next, url, title };
    }
    if (next.type === 'window') {
      const title = maskString(next.title, 'title');
      if (title !== next.title) next = { ...next, title };
    }
    if (next !== original) {
      out ??= [...events];
      out[index] = next;
    }
  });
  for (const [field, f] of perField) {
    for (const r of f.last) count(r.kind, `${field}|${r.kind}|${r.start}`);
    for (const kind of f.kinds) count(kind, `${field}|${kind}`);
  }
  return { events: out ?? (events as CaptureEvent[]), remasked };
}

/**
 * Sorted by start, with overlapping spans merged (the first one's kind wins). Not redact's
 * `mergeFindings`: that drops empty spans, and a device's `drop`-style redactions are empty spans
 * that must be kept.
 */
function mergeSpans(spans: Redaction[]): Redaction[] {
  spans.sort((a, b) => a.start - b.start);
  const merged: Redaction[] = [];
  for (const r of spans) {
    const last = merged[merged.length - 1];
    if (last && r.start < last.end) {
      if (r.end > last.end) merged[merged.length - 1] = { ...last, end: r.end };
    } else merged.push({ start: r.start, end: r.end, kind: r.kind, family: r.family });
  }
  return merged;
}
