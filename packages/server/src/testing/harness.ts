import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CaptureEvent, makeBatch } from '@lockstep/schema';
import { type RunningServer, startServer } from '../start.ts';

/** Helpers for tests that run a real server over real HTTP on a temporary data directory. */

export interface Reply<T> {
  status: number;
  body: T;
}

export type Body = Record<string, unknown>;

export class Api {
  constructor(readonly url: string) {}

  async call<T = Body>(method: string, path: string, options: { token?: string; body?: unknown; raw?: string } = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let payload: string | undefined;
    if (options.raw !== undefined) payload = options.raw;
    else if (options.body !== undefined) payload = JSON.stringify(options.body);
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.url + path, { method, headers, body: payload });
    const text = await res.text();
    // A download (application/x-ndjson) is several JSON documents: its text is the body.
    const lines = (res.headers.get('content-type') ?? '').startsWith('application/x-ndjson');
    return { status: res.status, body: (text ? (lines ? text : JSON.parse(text)) : null) as T };
  }
}

export interface TestServer {
  dir: string;
  dataDir: string;
  server: RunningServer;
  api: Api;
  /** Every log line written so far. */
  logs: string[];
  /** Closes the server; the data directory stays until `cleanup`. */
  close(): Promise<void>;
  cleanup(): Promise<void>;
}

export async function startTestServer(options: { clock?: () => number; dir?: string; logLevel?: string } = {}): Promise<TestServer> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'lockstep-test-'));
  const dataDir = join(dir, 'data');
  const logs: string[] = [];
  const server = await startServer({
    dataDir,
    logStream: { write: (line: string) => logs.push(line) },
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return {
    dir,
    dataDir,
    server,
    api: new Api(server.url),
    logs,
    close: () => server.close(),
    async cleanup() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Enrolled {
  id: string;
  token: string;
}

export async function enrollAdmin(api: Api, bootstrapCode: string): Promise<Enrolled> {
  const res = await api.call<{ token: string; user: { id: string } }>('POST', '/v1/enroll', { body: { code: bootstrapCode } });
  if (res.status !== 201) throw new Error(`admin enrollment failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.user.id, token: res.body.token };
}

/** Tokens of the users created here, so that their devices can be consented for them. */
const userTokens = new Map<string, string>();
/** The default program per server (created on the first device enrollment). */
const defaultPrograms = new Map<string, Promise<{ id: string; noticeVersion: number }>>();

export async function createUser(api: Api, adminToken: string, roles: string[] = ['subject']): Promise<Enrolled> {
  const created = await api.call<{ user: { id: string }; enrollmentCode: string }>('POST', '/v1/users', { token: adminToken, body: { roles } });
  if (created.status !== 201) throw new Error(`user creation failed: ${created.status} ${JSON.stringify(created.body)}`);
  const res = await api.call<{ token: string }>('POST', '/v1/enroll', { body: { code: created.body.enrollmentCode } });
  if (res.status !== 201) throw new Error(`user enrollment failed: ${res.status}`);
  userTokens.set(created.body.user.id, res.body.token);
  return { id: created.body.user.id, token: res.body.token };
}

/** A program for the tests (admin), with one purpose or more. */
export async function createProgram(
  api: Api,
  adminToken: string,
  fields: { name?: string; purposes?: string[]; idleGapMs?: number; notice?: string } = {},
): Promise<{ id: string; noticeVersion: number }> {
  const res = await api.call<{ id: string; notice: { version: number } }>('POST', '/v1/programs', {
    token: adminToken,
    body: {
      name: fields.name ?? 'test program',
      purposes: fields.purposes ?? ['agent-training', 'evaluation'],
      modalities: ['pointer', 'key', 'input', 'navigation', 'scroll'],
      retentionDays: 365,
      ...(fields.idleGapMs ? { idleGapMs: fields.idleGapMs } : {}),
      notice: fields.notice ?? 'We record how you work in the test apps to train agents. You can pause, review, release or delete.',
    },
  });
  if (res.status !== 201) throw new Error(`program creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, noticeVersion: res.body.notice.version };
}

/** The subject accepts the program's current notice. */
export async function acceptNotice(api: Api, subjectToken: string, program: { id: string; noticeVersion: number }): Promise<void> {
  const res = await api.call('POST', `/v1/me/consents/${program.id}`, { token: subjectToken, body: { noticeVersion: program.noticeVersion } });
  if (res.status !== 200) throw new Error(`consent failed: ${res.status} ${JSON.stringify(res.body)}`);
}

/**
 * Enrolls a device for the subject, bound to `program` (default: a test program created once per
 * server), and — when the subject was created by `createUser` here — accepts that program's
 * notice for them, so that the device may capture. `consent: false` leaves consent alone.
 */
export async function enrollDevice(
  api: Api,
  adminToken: string,
  subjectId: string,
  options: { program?: { id: string; noticeVersion: number }; consent?: boolean; platform?: 'browser' | 'desktop' } = {},
): Promise<Enrolled> {
  let program = options.program;
  if (!program) {
    if (!defaultPrograms.has(api.url)) defaultPrograms.set(api.url, createProgram(api, adminToken));
    program = await defaultPrograms.get(api.url)!;
  }
  const code = await api.call<{ enrollmentCode: string }>('POST', `/v1/users/${subjectId}/device-codes`, { token: adminToken, body: { program: program.id } });
  if (code.status !== 201) throw new Error(`device code failed: ${code.status} ${JSON.stringify(code.body)}`);
  const res = await api.call<{ token: string; device: { id: string } }>('POST', '/v1/enroll', { body: { code: code.body.enrollmentCode, platform: options.platform ?? 'browser' } });
  if (res.status !== 201) throw new Error(`device enrollment failed: ${res.status}`);
  const subjectToken = userTokens.get(subjectId);
  if (options.consent !== false && subjectToken) await acceptNotice(api, subjectToken, program);
  return { id: res.body.device.id, token: res.body.token };
}

/** An admin, a subject and the subject's device on a fresh server. */
export async function provision(t: TestServer) {
  const admin = await enrollAdmin(t.api, t.server.bootstrapCode);
  const subject = await createUser(t.api, admin.token);
  const device = await enrollDevice(t.api, admin.token, subject.id);
  return { admin, subject, device };
}

let sessionCounter = 0;
/** A new, valid session id. */
export const sessionId = () => `ses_test${String(process.pid)}x${String(++sessionCounter).padStart(8, '0')}`;

const target = { tag: 'input', role: 'textbox', name: 'Search', selector: '#q' };

/** `n` plausible events starting at seq `from`. */
export function events(from: number, n: number, extra: Partial<Record<'value', string>> = {}): CaptureEvent[] {
  const out: CaptureEvent[] = [];
  for (let i = from; i < from + n; i++) {
    if (i === 0) out.push({ seq: i, t: 0, type: 'navigation', kind: 'load', url: 'https://app.example.com/search?q=1', title: 'Search' });
    else if (i % 3 === 0) out.push({ seq: i, t: i * 20, type: 'input', value: extra.value ?? `typed ${i}`, inputType: 'insertText', target });
    else out.push({ seq: i, t: i * 20, type: 'pointer', kind: 'click', x: 10 + i, y: 20, button: 0, target });
  }
  return out;
}

export function batch(device: string, session: string, seq: number, evs: CaptureEvent[] = events(seq * 10, 10)) {
  return makeBatch(device, session, seq, evs);
}

/** Every regular file under a directory, recursively. */
export { filesContaining, filesUnder } from '../leak-scan.ts';
