// The page side of the channel to the host: a buffer of events handed to the `__lockstepEmit`
// binding as one JSON array per batch, every flushIntervalMs or at flushAtEvents, whichever
// first. The batch goes as JSON text written by toJson() below: Playwright's argument
// serializer costs several times more main-thread time, and the page's own JSON object may be
// patched by the page (so it is not used).
import type { PageEvent } from './context.ts';
import type { PageOptions } from './options.ts';
import { BINDING } from './protocol.ts';
import type { BatchInfo, HostReply } from './protocol.ts';

type Emit = (events: string, info: BatchInfo) => Promise<HostReply | undefined>;

// Control characters, quote and backslash: what JSON strings must escape.
// eslint-disable-next-line no-control-regex
const ESCAPE = /[\u0000-\u001f"\\]/;
// eslint-disable-next-line no-control-regex
const ESCAPE_ALL = /[\u0000-\u001f"\\]/g;

function escapeChar(c: string): string {
  if (c === '"') return '\\"';
  if (c === '\\') return '\\\\';
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * JSON text of an event batch (plain objects, arrays, strings, finite numbers, booleans, null),
 * with JSON.stringify's rules for what it does not expect: undefined fields are left out,
 * non-finite numbers become null, anything else becomes null.
 */
export function toJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return ESCAPE.test(value) ? `"${value.replace(ESCAPE_ALL, escapeChar)}"` : `"${value}"`;
    case 'number':
      return Number.isFinite(value) ? `${value}` : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const v: unknown = value[i];
          out += v === undefined || typeof v === 'function' ? 'null' : toJson(v);
        }
        return `${out}]`;
      }
      let out = '{';
      let first = true;
      for (const key of Object.keys(value)) {
        const v = (value as Record<string, unknown>)[key];
        if (v === undefined || typeof v === 'function') continue;
        out += `${first ? '' : ','}${toJson(key)}:${toJson(v)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      return 'null';
  }
}

/** Most events kept while the binding is missing; older ones are dropped first. */
const MAX_BUFFER = 10_000;

export interface Transport {
  push(ev: PageEvent): void;
  /** Hands the buffer over now (no-op when empty). */
  send(): void;
  /** This document's id and how many batches it has sent. */
  info(): BatchInfo;
  /** Announces the document (batch 0, empty) so that the host's reply arrives early. */
  hello(): void;
  /**
   * Tells the host soon that the page holds events back (see BatchInfo.hold): with the next
   * batch if one is waiting, else with an empty notice now.
   */
  notice(): void;
  close(): void;
}

export function createTransport(opts: PageOptions, onReply: (reply: HostReply | undefined) => void, hold: () => number | undefined = () => undefined): Transport {
  const w = window as unknown as Record<string, unknown>;
  const doc = `${Math.round(performance.timeOrigin).toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  let buffer: PageEvent[] = [];
  let sent = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let emit: Emit | undefined;
  let closed = false;

  // Looked up late: the order of init scripts is not defined, so the binding may come after us.
  const binding = (): Emit | undefined => {
    if (!emit && typeof w[BINDING] === 'function') emit = w[BINDING] as Emit;
    return emit;
  };

  const call = (batch: PageEvent[], n: number): void => {
    const info: BatchInfo = { doc, n };
    const h = hold();
    if (h !== undefined) info.hold = h;
    try {
      (binding() as Emit)(toJson(batch), info).then(onReply, () => {});
    } catch {
      // The host is gone.
    }
  };

  const send = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (buffer.length === 0 || closed) return;
    if (!binding()) {
      if (buffer.length > MAX_BUFFER) buffer.splice(0, buffer.length - MAX_BUFFER);
      timer = setTimeout(send, opts.flushIntervalMs);
      return;
    }
    const batch = buffer;
    buffer = [];
    call(batch, ++sent);
  };

  return {
    push(ev) {
      if (closed) return;
      buffer.push(ev);
      if (buffer.length >= opts.flushAtEvents) send();
      else timer ??= setTimeout(send, opts.flushIntervalMs);
    },
    send,
    info: () => ({ doc, n: sent }),
    hello() {
      if (binding()) call([], 0);
    },
    notice() {
      if (closed || buffer.length > 0 || !binding()) return;
      call([], 0);
    },
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
