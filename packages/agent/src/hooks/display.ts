// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the x11 types are an ambient declaration: every program that reaches this file needs them
/// <reference path="../x11.d.ts" />
// Finding and opening the X display. Everything the agent does on the desktop needs one; this
// says clearly when there is none instead of letting a native library abort the process.
import x11, { type XClient, type XDisplay } from 'x11';

/** There is no X display to record, or it does not answer. */
export class NoDisplayError extends Error {
  override name = 'NoDisplayError';
  constructor(detail: string) {
    super(`no display: set DISPLAY to an X server (${detail}); the agent records a desktop session and needs one`);
  }
}

/** The display to use: the given one, else $DISPLAY; throws NoDisplayError when neither is set. */
export function displayName(display?: string): string {
  const name = display ?? process.env.DISPLAY;
  if (!name) throw new NoDisplayError('DISPLAY is not set');
  return name;
}

/**
 * Opens a connection to the X server at `display` (default $DISPLAY). Rejects with
 * NoDisplayError when it is not set, cannot be reached or does not finish the handshake in time.
 */
export function openDisplay(display?: string, timeoutMs = 3000): Promise<XDisplay> {
  let name: string;
  try {
    name = displayName(display);
  } catch (e) {
    return Promise.reject(e);
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        client?.terminate();
      } catch {
        // not connected: nothing to close
      }
      reject(new NoDisplayError(`cannot open ${name}: ${why}`));
    };
    let client: XClient | undefined;
    const timer = setTimeout(() => fail(`no answer in ${timeoutMs} ms`), timeoutMs);
    try {
      // SHM is off: screenshots read through the socket, which keeps this connection a plain one.
      client = x11.createClient({ display: name, shm: false }, (err, d) => {
        if (err) return fail(err.message);
        if (settled) return d.client.terminate();
        settled = true;
        clearTimeout(timer);
        ownAtomCache(d.client);
        resolve(d);
      });
    } catch (e) {
      clearTimeout(timer);
      return reject(new NoDisplayError(`cannot open ${name}: ${e instanceof Error ? e.message : String(e)}`));
    }
    client.on('error', (e: Error) => fail(e.message));
  });
}

/** Atoms 1–68 are the same on every server; any other is one server's own. */
const LAST_PREDEFINED_ATOM = 68;

/**
 * node-x11 (4.2) starts every connection's atom cache as one object shared by all connections,
 * and InternAtom adds to it: an atom interned on one server would be answered from the cache on
 * another, where it means something else or nothing (BadAtom). Give the connection its own cache.
 */
function ownAtomCache(client: XClient) {
  client.atoms = Object.fromEntries(Object.entries(client.atoms).filter(([, id]) => id <= LAST_PREDEFINED_ATOM));
  client.atom_names = Object.fromEntries(Object.entries(client.atom_names).filter(([id]) => Number(id) <= LAST_PREDEFINED_ATOM));
}
