import type { Command } from 'commander';
import type { CaptureEvent } from '@lockstep/schema';
import { createClient } from '../client.ts';
import { defaultServer, tokenFor } from '../config.ts';
import { eventsTable, sessionsTable, type SessionSummary } from '../format.ts';

interface Opts {
  server: string;
  token?: string;
  json?: boolean;
}

function withServer(cmd: Command): Command {
  return cmd
    .option('--server <url>', 'Lockstep server (env LOCKSTEP_SERVER)', defaultServer())
    .option('--token <token>', 'your token (default: the saved credential or LOCKSTEP_TOKEN)')
    .option('--json', 'print JSON instead of a table');
}

export function register(program: Command): void {
  const sessions = program.command('sessions').description('Your recorded sessions: list, read back, delete.');

  withServer(sessions.command('list').description('List your sessions (metadata only).')).action(async (opts: Opts) => {
    const client = createClient(opts.server, tokenFor(opts.server, 'user', opts.token));
    const res = await client.get<{ sessions: SessionSummary[] }>('/v1/sessions');
    process.stdout.write(opts.json ? `${JSON.stringify(res.sessions, null, 2)}\n` : sessionsTable(res.sessions));
  });

  withServer(sessions.command('show').argument('<session>', 'session id (ses_…)').description('Read back the events of one of your sessions.'))
    .option('--all', 'every event (mouse moves and each keystroke) instead of the summary')
    .action(async (id: string, opts: Opts & { all?: boolean }) => {
      const client = createClient(opts.server, tokenFor(opts.server, 'user', opts.token));
      const res = await client.get<{ session: SessionSummary; events: CaptureEvent[] }>(`/v1/sessions/${encodeURIComponent(id)}`);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
        return;
      }
      process.stdout.write(sessionsTable([res.session]) + '\n' + eventsTable(res.events, { all: opts.all }));
    });

  withServer(sessions.command('delete').argument('<session>', 'session id (ses_…)').description('Delete one of your sessions; its key is destroyed, so no copy can be read.'))
    .action(async (id: string, opts: Opts) => {
      const client = createClient(opts.server, tokenFor(opts.server, 'user', opts.token));
      await client.delete(`/v1/sessions/${encodeURIComponent(id)}`);
      process.stdout.write(opts.json ? `${JSON.stringify({ deleted: id })}\n` : `deleted ${id}; its key is destroyed\n`);
    });
}
