import type { Command } from 'commander';
import type { CaptureEvent } from '@lockstep/schema';
import { eventsTable } from '../format.ts';
import { type Opts, enc, print, table, userClient, withServer } from './common.ts';

interface BreakGlass {
  id: string;
  subject: string;
  requester: string;
  status: string;
  stewardApprover: string | null;
  securityApprover: string | null;
  expiresAt: string | null;
}

export function register(program: Command): void {
  const bg = program.command('break-glass').description("Raw access to one subject's sessions for an investigation: two other people approve, 24 hours at most, on the subject's access view.");
  withServer(bg.command('request').argument('<subject>', 'the subject (usr_…)').description('Request break-glass access (security, steward).'))
    .requiredOption('--reason <text>', 'why (shown to approvers; the subject sees the request in their access view)')
    .option('--session <id...>', 'only these sessions')
    .option('--hours <n>', 'how long the access lasts once approved (at most 24)', '24')
    .action(async (subject: string, opts: Opts & { reason: string; session?: string[]; hours: string }) => {
      const res = await userClient(opts).post<BreakGlass>('/v1/break-glass', {
        subject,
        reason: opts.reason,
        durationMs: Number(opts.hours) * 3_600_000,
        ...(opts.session ? { sessions: opts.session } : {}),
      });
      print(opts, res, () => `requested ${res.id}; it needs one steward and one security member other than you to approve`);
    });
  withServer(bg.command('approve').argument('<request>', 'break-glass id (brk_…)').description('Approve a break-glass request (a steward, or a security member; not its requester or subject).')).action(
    async (id: string, opts: Opts) => {
      const res = await userClient(opts).post<BreakGlass>(`/v1/break-glass/${enc(id)}/approve`);
      print(opts, res, () => `${res.id}: ${res.status}${res.expiresAt ? ` until ${res.expiresAt}` : ''}`);
    },
  );
  withServer(bg.command('list').description('List break-glass requests (security, steward).')).action(async (opts: Opts) => {
    const { requests } = await userClient(opts).get<{ requests: BreakGlass[] }>('/v1/break-glass');
    print(opts, requests, () => table(requests.map((r) => ({ ...r })), ['id', 'subject', 'requester', 'status', 'stewardApprover', 'securityApprover', 'expiresAt']));
  });
  withServer(bg.command('read').argument('<request>', 'break-glass id (brk_…)').argument('<session>', 'session id (ses_…)').description('Read one session raw under an approved request (its requester).'))
    .option('--all', 'every event instead of the summary')
    .action(async (id: string, session: string, opts: Opts & { all?: boolean }) => {
      const res = await userClient(opts).get<{ events: CaptureEvent[] }>(`/v1/break-glass/${enc(id)}/sessions/${enc(session)}`);
      print(opts, res, () => eventsTable(res.events, { all: opts.all }));
    });
}
