// The agent's local control channel: an HTTP server on 127.0.0.1 that `lockstep agent pause`,
// `resume` and `status` talk to, and a status page for a browser. Only the person's own account
// can use it: every request needs the token written (mode 0600) beside the port in the agent's
// directory; the page takes it once as ?token= and then sits in a same-site, HTTP-only cookie.
// Four routes on node:http keep the agent's memory small; nothing here is reachable off the machine.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What `lockstep agent status` and the status page show. */
export interface AgentStatus {
  /** One word: recording, paused, waiting-for-consent, program-paused, spool-full, away, starting, stopped. */
  state: string;
  /** One sentence for a person. */
  summary: string;
  session: string | null;
  /** When the session's time 0 was (events' `t` count from it). */
  startedAt: string | null;
  /** The window being recorded now (null when none is). */
  window: { app: string; title: string; credential: boolean } | null;
  pausedUntil: string | null;
  stopped: string[];
  events: number;
  screenshots: boolean;
  program: { id: string; name: string } | null;
  allowList: { apps: string[]; titles: string[] };
  spool: { batches: number; bytes: number; maxBytes: number };
  upload: { state: string; pending: number; lastError?: string };
  server: string;
  device: string;
}

export interface ControlHandlers {
  status(): AgentStatus;
  /** Pause now; `forMs`: resume by itself after that long (absent: until resumed). */
  pause(forMs: number | undefined): void;
  resume(): void;
}

/** Where a running agent's control channel is: `control.json` in its directory. */
export interface ControlFile {
  port: number;
  token: string;
  pid: number;
}

export const CONTROL_FILE = 'control.json';

const COOKIE = 'lockstep_agent';

export function readControlFile(dir: string): ControlFile | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, CONTROL_FILE), 'utf8')) as ControlFile;
    return typeof parsed.port === 'number' && typeof parsed.token === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  const cookie = req.headers.cookie?.split(';').map((c) => c.trim()).find((c) => c.startsWith(`${COOKIE}=`));
  return cookie?.slice(COOKIE.length + 1);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(s: AgentStatus): string {
  const rows: Array<[string, string]> = [
    ['State', s.summary],
    ['Window', s.window ? `${s.window.app} — ${s.window.title}${s.window.credential ? ' (credential prompt: no keys kept)' : ''}` : 'none being recorded'],
    ['Program', s.program ? `${s.program.name} (${s.program.id})` : 'none'],
    ['Allowed apps', s.allowList.apps.join(', ') || 'none'],
    ['Allowed titles', s.allowList.titles.join(', ') || 'any title of an allowed app'],
    ['Screenshots', s.screenshots ? 'on (active window only)' : 'off'],
    ['Session', s.session ?? '—'],
    ['Events this session', String(s.events)],
    ['Spool', `${s.spool.batches} batches, ${Math.round(s.spool.bytes / 1024)} of ${Math.round(s.spool.maxBytes / 1024)} KiB`],
    ['Upload', `${s.upload.state}, ${s.upload.pending} waiting${s.upload.lastError ? ` (${s.upload.lastError})` : ''}`],
  ];
  const paused = s.state !== 'recording' && s.state !== 'away';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
<title>Lockstep agent — ${escapeHtml(s.state)}</title>
<style>body{font:15px system-ui,sans-serif;margin:2em;max-width:48em}th{text-align:left;padding-right:1em;vertical-align:top}
.badge{display:inline-block;padding:.2em .6em;border-radius:1em;color:#fff;background:${s.state === 'recording' ? '#c0392b' : '#555'}}
button{font-size:1em;margin-right:.5em}</style></head><body>
<h1>Lockstep agent <span class="badge">${escapeHtml(s.state)}</span></h1>
<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
<form method="post" action="${paused ? '/resume' : '/pause'}"><p><button type="submit">${paused ? 'Resume' : 'Pause'}</button>
${paused ? '' : '<button type="submit" formaction="/pause?for=900000">Pause 15 minutes</button>'}</p></form>
<p>Pause from anywhere with Alt+Shift+P, or <code>lockstep agent pause</code>.</p></body></html>`;
}

async function body(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 4096) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  if (!(req.headers['content-type'] ?? '').includes('application/json')) return {};
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** Longest pause `--for` takes: a week (without it, a pause has no end). */
export const MAX_PAUSE_MS = 7 * 24 * 3600_000;

export interface ControlServer {
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Starts the control channel and writes control.json into `dir`. */
export async function startControl(dir: string, handlers: ControlHandlers, port = 0): Promise<ControlServer> {
  const token = randomBytes(24).toString('base64url');
  const send = (res: ServerResponse, code: number, value: unknown) => {
    res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(value));
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      // Browsers send the host they asked for: only the loopback address answers (no DNS rebinding).
      if (!/^(127\.0\.0\.1|localhost)(:\d+)?$/.test(req.headers.host ?? '')) return send(res, 403, { error: 'forbidden', message: 'use http://127.0.0.1' });
      const given = tokenOf(req, url);
      if (!given || !same(given, token)) return send(res, 401, { error: 'unauthorized', message: 'the agent control token is missing or wrong (it is in control.json in the agent directory)' });
      const html = (req.headers.accept ?? '').includes('text/html');
      const cookie = `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
      if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/status')) {
        const status = handlers.status();
        if (url.pathname === '/' || html) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'set-cookie': cookie });
          return res.end(page(status));
        }
        return send(res, 200, status);
      }
      if (req.method === 'POST' && (url.pathname === '/pause' || url.pathname === '/resume')) {
        // A form post from another site carries no cookie (SameSite=Strict) and no bearer token.
        let forMs: number | undefined;
        if (url.pathname === '/pause') {
          const b = (await body(req).catch(() => null)) as { forMs?: unknown } | null;
          if (b === null) return send(res, 400, { error: 'invalid_request', message: 'the body must be JSON such as {"forMs": 600000}' });
          const raw = b.forMs ?? (url.searchParams.has('for') ? Number(url.searchParams.get('for')) : undefined);
          if (raw !== undefined && (typeof raw !== 'number' || !Number.isFinite(raw) || raw <= 0 || raw > MAX_PAUSE_MS)) {
            return send(res, 400, { error: 'invalid_request', field: 'forMs', message: `forMs must be a number of milliseconds between 1 and ${MAX_PAUSE_MS}` });
          }
          forMs = raw;
          handlers.pause(forMs);
        } else handlers.resume();
        if (html || (req.headers['content-type'] ?? '').includes('form')) {
          res.writeHead(303, { location: '/', 'set-cookie': cookie });
          return res.end();
        }
        return send(res, 200, handlers.status());
      }
      return send(res, 404, { error: 'not_found', message: 'the agent answers GET /, GET /status, POST /pause and POST /resume' });
    })().catch(() => {
      if (!res.headersSent) send(res, 500, { error: 'internal', message: 'the agent could not answer' });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  const file = join(dir, CONTROL_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ port: actual, token, pid: process.pid } satisfies ControlFile), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return {
    port: actual,
    token,
    close: async () => {
      rmSync(file, { force: true });
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}

/** A client of a running agent's control channel (the CLI). */
export async function callAgent(dir: string, method: 'GET' | 'POST', path: string, payload?: unknown): Promise<AgentStatus> {
  const control = readControlFile(dir);
  if (!control) throw new Error(`no agent is running for ${dir} (start one with \`lockstep agent start\`)`);
  let res: Response;
  try {
    res = await fetch(`http://127.0.0.1:${control.port}${path}`, {
      method,
      headers: { authorization: `Bearer ${control.token}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
      ...(payload ? { body: JSON.stringify(payload) } : {}),
      signal: AbortSignal.timeout(5000),
    });
  } catch {
    throw new Error(`the agent for ${dir} does not answer on 127.0.0.1:${control.port}; it may have stopped (start it with \`lockstep agent start\`)`);
  }
  const json = (await res.json().catch(() => ({}))) as AgentStatus & { message?: string };
  if (!res.ok) throw new Error(json.message ?? `the agent answered ${res.status}`);
  return json;
}
