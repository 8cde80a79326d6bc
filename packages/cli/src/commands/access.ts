import type { Command } from 'commander';
import { type Opts, print, table, userClient, withServer } from './common.ts';

interface Entry {
  time: string;
  actor: string;
  actorRoles: string[];
  you: boolean;
  action: string;
  resource: string;
  purpose: string | null;
  grant: string | null;
  decision: string;
  kind: string;
}

export function register(program: Command): void {
  withServer(program.command('access').description('Who accessed your data: when, which action, under which purpose and grant (or break-glass); denied attempts included.'))
    .option('--others', 'leave out your own actions and your devices\' uploads')
    .option('--limit <n>', 'at most this many entries, newest first', '200')
    .action(async (opts: Opts & { others?: boolean; limit: string }) => {
      const { entries } = await userClient(opts).get<{ entries: Entry[] }>(`/v1/me/access?limit=${Number(opts.limit)}`);
      const shown = opts.others ? entries.filter((e) => !e.you) : entries;
      print(opts, shown, () =>
        table(
          shown.map((e) => ({ time: e.time, who: e.you ? 'you' : `${e.actor} (${e.actorRoles.join(',') || 'device'})`, action: e.kind === 'content-access' ? `${e.action} [content]` : e.action, resource: e.resource, purpose: e.purpose, grant: e.grant, decision: e.decision })),
          ['time', 'who', 'action', 'resource', 'purpose', 'grant', 'decision'],
        ),
      );
    });
}
