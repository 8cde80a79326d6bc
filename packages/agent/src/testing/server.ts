// Test helper: a real Lockstep server (in this process, over real HTTP, on a temporary data
// directory) with an admin, a subject, a program for desktop capture, the subject's consent to it
// and an enrolled desktop device. The server can be taken down and brought back on the same port
// and data, to play a network cut.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaptureEvent } from '@lockstep/schema';
import { type RunningServer, startServer } from '@lockstep/server';
import { Api, acceptNotice, createUser, enrollAdmin } from '../../../server/src/testing/harness.ts';

/** The modalities desktop capture produces. */
export const DESKTOP_MODALITIES = ['pointer', 'wheel', 'key', 'input', 'focus', 'viewport', 'marker', 'window', 'frame'];

/** The test program, unless overridden: desktop modalities, xterm windows recorded, screenshots on. */
export const DEFAULT_DESKTOP_PROGRAM = { modalities: DESKTOP_MODALITIES, desktopApps: ['xterm'], screenshots: true };

export interface AgentServerOptions {
  /** Accept the program's notice for the subject (default true); false leaves the device unable to upload (403 consent-required). */
  consent?: boolean;
  /** Fields of POST /v1/programs that replace the defaults (DEFAULT_DESKTOP_PROGRAM): modalities, desktopApps, desktopTitles, screenshots… */
  program?: Record<string, unknown>;
  /** Parent of the data directory (default: a new temporary directory, removed by stop()). */
  dir?: string;
  /** Trusted time source for the server. */
  clock?: () => number;
}

export interface AgentTestServer {
  url: string;
  port: number;
  dataDir: string;
  api: Api;
  adminId: string;
  adminToken: string;
  subjectId: string;
  subjectToken: string;
  programId: string;
  noticeVersion: number;
  deviceId: string;
  deviceToken: string;
  /** The server's log lines so far. */
  logs: string[];
  /** A fresh one-time code that enrolls another desktop device for the subject (platform 'desktop'). */
  deviceCode(): Promise<string>;
  /** The subject accepts the program's notice (for a server started with consent: false). */
  consent(): Promise<void>;
  /** The session's events, read back as the subject; [] when the server has no such session. */
  sessionEvents(session: string): Promise<CaptureEvent[]>;
  /** Stops listening; the data stays. */
  down(): Promise<void>;
  /** Listens again on the same port and data directory. */
  up(): Promise<void>;
  /** Stops the server and removes the directory it made. */
  stop(): Promise<void>;
}

export async function startAgentServer(options: AgentServerOptions = {}): Promise<AgentTestServer> {
  const made = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'lockstep-agent-server-'));
  const dataDir = join(dir, 'data');
  const logs: string[] = [];
  const launch = (port: number) =>
    startServer({ dataDir, port, logLevel: 'warn', logStream: { write: (line: string) => logs.push(line) }, ...(options.clock ? { clock: options.clock } : {}) });

  let server: RunningServer | undefined = await launch(0);
  const { port, url } = server;
  try {
    const api = new Api(url);
    const admin = await enrollAdmin(api, server.bootstrapCode);
    const subject = await createUser(api, admin.token);
    const program = await api.call<{ id: string; notice: { version: number } }>('POST', '/v1/programs', {
      token: admin.token,
      body: {
        name: 'desktop test program',
        purposes: ['agent-training'],
        retentionDays: 365,
        notice: 'We record how you work in the test apps on this computer to train agents. You can pause, review, release or delete.',
        ...DEFAULT_DESKTOP_PROGRAM,
        ...options.program,
      },
    });
    if (program.status !== 201) throw new Error(`program creation failed: ${program.status} ${JSON.stringify(program.body)}`);
    const programRef = { id: program.body.id, noticeVersion: program.body.notice.version };

    const deviceCode = async () => {
      const res = await api.call<{ enrollmentCode: string }>('POST', `/v1/users/${subject.id}/device-codes`, { token: admin.token, body: { program: programRef.id } });
      if (res.status !== 201) throw new Error(`device code failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.enrollmentCode;
    };
    const enrolled = await api.call<{ token: string; device: { id: string } }>('POST', '/v1/enroll', { body: { code: await deviceCode(), platform: 'desktop' } });
    if (enrolled.status !== 201) throw new Error(`device enrollment failed: ${enrolled.status} ${JSON.stringify(enrolled.body)}`);
    const consent = () => acceptNotice(api, subject.token, programRef);
    if (options.consent !== false) await consent();

    return {
      url,
      port,
      dataDir,
      api,
      adminId: admin.id,
      adminToken: admin.token,
      subjectId: subject.id,
      subjectToken: subject.token,
      programId: programRef.id,
      noticeVersion: programRef.noticeVersion,
      deviceId: enrolled.body.device.id,
      deviceToken: enrolled.body.token,
      logs,
      deviceCode,
      consent,
      async sessionEvents(session) {
        const res = await api.call<{ events: CaptureEvent[] }>('GET', `/v1/sessions/${session}`, { token: subject.token });
        if (res.status === 404) return [];
        if (res.status !== 200) throw new Error(`reading session ${session} failed: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body.events;
      },
      async down() {
        const running = server;
        server = undefined;
        await running?.close();
      },
      async up() {
        server ??= await launch(port);
      },
      async stop() {
        const running = server;
        server = undefined;
        await running?.close();
        if (made) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server.close();
    if (made) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
