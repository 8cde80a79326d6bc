import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CaptureEvent } from '@lockstep/schema';
import { findPlaintext, startServer } from '@lockstep/server';
import { serveSamples } from '../../../samples/serve.ts';
import { ApiRequestError, createClient } from './client.ts';
import { eventsTable, sessionsTable, type SessionSummary } from './format.ts';
import { provision } from './provision.ts';
import { recordWeb } from './record-web.ts';
import { runExport } from './export/run.ts';
import { describeActions, parseJsonl } from '@lockstep/trajectory';
import { readFile } from 'node:fs/promises';

export interface DemoOptions {
  data?: string;
  headed?: boolean;
  keep?: boolean;
  out?: (text: string) => void;
}

export interface DemoResult {
  session: string;
  events: CaptureEvent[];
  passwordFound: string[];
  messageOnDisk: boolean;
  /** Where the API key typed into the message was found in clear (events read back, data directory); empty is right. */
  secretFound: string[];
  adminStatus: number;
  /** The admin's refused read, as the subject's access view shows it. */
  adminAttemptShown: boolean;
  /** The researcher's export of the released episode. */
  exported: { episodes: number; steps: number; files: string[]; subjectIdFound: boolean; passwordFound: boolean };
}

const DEMO_PASSWORD = 'demo-Pa55word!xyzzy';
const DEMO_MESSAGE = 'Quarterly numbers look fine; ship the report on Friday.';
/** A (fake) GitHub token typed into the message: redacted on the device, before upload. */
const DEMO_SECRET = 'ghp_' + 'Lk3vQ9xTz2Wm8Ra5Yb1Nc7Ud4He6Jf0Gs2Pq';

/**
 * The whole product in one run: an embedded server, an admin who creates a subject and enrolls a
 * device, the real recording browser on a sample app, and the subject reading back what was stored.
 */
export async function runDemo(opts: DemoOptions = {}): Promise<DemoResult> {
  const out = opts.out ?? ((t: string) => process.stdout.write(t));
  const dataDir = opts.data ? resolve(opts.data) : mkdtempSync(join(tmpdir(), 'lockstep-demo-'));
  const logFile = join(dataDir, 'server.log');
  const server = await startServer({ dataDir, port: 0, logStream: createWriteStream(logFile, { flags: 'a' }) });
  const samples = await serveSamples();
  let exportDir: string | null = null;
  try {
    out(`1. Embedded server on ${server.url}, data in ${dataDir}\n`);
    const { admin, subject, device } = await provision(server.url, server.bootstrapCode, 'demo subject');
    const adminClient = createClient(server.url, admin);
    out(`2. Admin enrolled; created subject ${subject.id} and enrolled device ${device.id}\n`);

    out(`3. Recording a scripted task on the sample app (${samples.url}signup/) in Chromium…\n`);
    const recording = await recordWeb({
      url: `${samples.url}signup/`,
      server: server.url,
      token: device.token,
      headless: !opts.headed,
      script: async (page) => {
        await page.getByLabel('User name').click();
        await page.keyboard.type('ada.lovelace', { delay: 15 });
        await page.getByLabel('Password').click();
        await page.keyboard.type(DEMO_PASSWORD, { delay: 15 });
        await page.getByLabel('Message').click();
        await page.keyboard.type(`${DEMO_MESSAGE} Deploy key: ${DEMO_SECRET}`, { delay: 5 });
        await page.getByLabel('Remember me').check();
        await page.getByRole('button', { name: 'Send' }).click();
        await page.waitForTimeout(300);
      },
    });
    out(`   captured ${recording.events.length} events, uploaded in ${recording.batches} batches\n\n`);

    const me = createClient(server.url, subject.token);
    const list = await me.get<{ sessions: SessionSummary[] }>('/v1/sessions');
    out(`4. The subject lists their sessions:\n${sessionsTable(list.sessions)}\n`);
    const read = await me.get<{ session: SessionSummary; events: CaptureEvent[] }>(`/v1/sessions/${recording.session}`);
    out(`5. The subject reads the session back:\n${eventsTable(read.events)}\n`);

    // The subject releases the episode; a researcher exports it through a grant a steward approved.
    const { episodes } = await me.get<{ episodes: Array<{ id: string }> }>('/v1/episodes');
    for (const e of episodes) {
      await me.put(`/v1/episodes/${e.id}/task`, { task: 'Sign up and leave a message' });
      await me.post(`/v1/episodes/${e.id}/release`);
    }
    const anon = createClient(server.url);
    const people: Record<string, string> = {};
    for (const role of ['researcher', 'steward']) {
      const u = await adminClient.post<{ user: { id: string }; enrollmentCode: string }>('/v1/users', { roles: [role], label: `demo ${role}` });
      people[role] = (await anon.post<{ token: string }>('/v1/enroll', { code: u.enrollmentCode })).token;
    }
    const researcher = createClient(server.url, people.researcher);
    const program = (await adminClient.get<{ programs: Array<{ id: string }> }>('/v1/programs')).programs[0]!.id;
    const dataset = await researcher.post<{ id: string }>('/v1/datasets', { program, name: 'demo sign-ups' });
    const grant = await researcher.post<{ id: string }>('/v1/grants', { dataset: dataset.id, purpose: 'agent-training', expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString() });
    await createClient(server.url, people.steward).post(`/v1/grants/${grant.id}/approve`);
    // Outside the data directory: an export is plaintext training data, held by the researcher.
    const exportTo = mkdtempSync(join(tmpdir(), 'lockstep-demo-export-'));
    exportDir = exportTo;
    const summary = await runExport({ client: researcher, grant: grant.id, out: exportTo, formats: ['jsonl', 'parquet', 'chat', 'playwright'], chatShapes: ['anthropic', 'openai'] });
    const exportedText = (await Promise.all(summary.manifest.files.map((f) => readFile(join(exportTo, f.path), 'latin1')))).join('\n');
    const exported = {
      episodes: summary.card.episodes,
      steps: summary.card.steps,
      files: summary.manifest.files.map((f) => f.path),
      subjectIdFound: exportedText.includes(subject.id),
      passwordFound: exportedText.includes(DEMO_PASSWORD),
    };
    out(`6. The subject labels and releases the episode; a researcher exports it through a grant a steward approved:\n`);
    out(`   ${exported.episodes} episode, ${exported.steps} steps → ${exportTo}\n   files: ${exported.files.join(', ')}\n`);
    for await (const record of parseJsonl(await readFile(join(exportTo, 'episodes.jsonl'), 'utf8'))) {
      out(`   task "${record.task ?? ''}", subject ${record.subject} (a pseudonym of this export only), sites ${record.apps.join(', ')}:\n`);
      out(`${describeActions(record.steps.map((st) => st.action))
        .trimEnd()
        .split('\n')
        .map((l) => `     ${l}`)
        .join('\n')}\n`);
    }
    out(`   the subject's id in the export: ${exported.subjectIdFound ? 'FOUND' : 'absent'}; the password: ${exported.passwordFound ? 'FOUND' : 'absent'}\n\n`);

    let adminStatus = 0;
    try {
      await adminClient.get(`/v1/sessions/${recording.session}`);
      adminStatus = 200;
    } catch (err) {
      adminStatus = err instanceof ApiRequestError ? err.status : -1;
    }
    await server.close();
    const serialized = JSON.stringify(read.events);
    const passwordFound = [
      ...(serialized.includes(DEMO_PASSWORD) ? ['events'] : []),
      ...findPlaintext(dataDir, [DEMO_PASSWORD]).map((h) => h.file),
    ];
    const messageOnDisk = findPlaintext(dataDir, [DEMO_MESSAGE]).length > 0;
    const secretFound = [
      ...(serialized.includes(DEMO_SECRET.slice(4)) ? ['events'] : []),
      ...findPlaintext(dataDir, [DEMO_SECRET, DEMO_SECRET.slice(4, 20)]).map((h) => h.file),
    ];
    out('7. What the promises look like from outside:\n');
    out(`   admin reading the session: HTTP ${adminStatus} (admins configure, they do not read content)\n`);
    out(`   the password typed: ${passwordFound.length === 0 ? 'not in the events, not on disk, not in the log' : `FOUND in ${passwordFound.join(', ')}`}\n`);
    out(`   the message typed: readable by its owner, ${messageOnDisk ? 'FOUND in plaintext on disk' : 'not in plaintext anywhere in the data directory (encrypted under the subject\'s key)'}\n`);
    out(`   the API key typed into the message: ${secretFound.length === 0 ? 'masked on the device before upload (its shape kept), not in the events, not on disk' : `FOUND in ${secretFound.join(', ')}`}\n`);

    // The subject's access view, read from the audit log (the server is started again on the same data).
    const again = await startServer({ dataDir, port: 0, logStream: createWriteStream(logFile, { flags: 'a' }) });
    let adminAttemptShown = false;
    try {
      const { entries } = await createClient(again.url, subject.token).get<{ entries: Array<{ time: string; actor: string; actorRoles: string[]; you: boolean; action: string; decision: string }> }>('/v1/me/access?limit=200');
      const others = entries.filter((e) => !e.you);
      adminAttemptShown = others.some((e) => e.actorRoles.includes('admin') && e.action === 'session.read' && e.decision === 'deny');
      out(`\n8. The subject's access view (from the tamper-evident audit log): ${entries.length - others.length} accesses by them or their device, and by others:\n`);
      for (const e of others) out(`   ${e.time}  ${e.actor} (${e.actorRoles.join(', ')})  ${e.action}  ${e.decision === 'deny' ? 'DENIED' : 'allowed'}\n`);
    } finally {
      await again.close();
    }
    return { session: recording.session, events: read.events, passwordFound, messageOnDisk, secretFound, adminStatus, adminAttemptShown, exported };
  } finally {
    await samples.close();
    await server.close().catch(() => {});
    if (!opts.data && !opts.keep) {
      rmSync(dataDir, { recursive: true, force: true });
      if (exportDir) rmSync(exportDir, { recursive: true, force: true });
    } else out(`\nData kept in ${dataDir}${exportDir ? `, the export in ${exportDir}` : ''}\n`);
  }
}
