import type { Command } from 'commander';
import type { CaptureEvent } from '@lockstep/schema';
import { eventsTable } from '../format.ts';
import { type Opts, enc, print, table, userClient, withServer } from './common.ts';

interface Episode {
  id: string;
  session: string;
  startT: number;
  endT: number;
  status: string;
  task: string | null;
}

export function register(program: Command): void {
  const episodes = program.command('episodes').description('Your episodes (sessions cut at idle gaps): list, show, label, release, delete.');
  withServer(episodes.command('list').description('List your episodes (metadata only).')).action(async (opts: Opts) => {
    const { episodes: list } = await userClient(opts).get<{ episodes: Episode[] }>('/v1/episodes');
    print(opts, list, () => table(list.map((e) => ({ ...e, seconds: Math.round((e.endT - e.startT) / 1000) })), ['id', 'session', 'status', 'seconds', 'task']));
  });
  withServer(episodes.command('show').argument('<episode>', 'episode id (epi_…)').description('Read back one of your episodes.'))
    .option('--all', 'every event instead of the summary')
    .action(async (id: string, opts: Opts & { all?: boolean }) => {
      const res = await userClient(opts).get<{ episode: Episode; events: CaptureEvent[] }>(`/v1/episodes/${enc(id)}`);
      print(opts, res, () => `${res.episode.id} (${res.episode.status}) task: ${res.episode.task ?? '-'}\n${eventsTable(res.events, { all: opts.all })}`);
    });
  withServer(episodes.command('label').argument('<episode>', 'episode id (epi_…)').argument('<task>', 'the task it shows, in your words').description('Say what task an open episode shows.')).action(
    async (id: string, task: string, opts: Opts) => {
      const res = await userClient(opts).put<Episode>(`/v1/episodes/${enc(id)}/task`, { task });
      print(opts, res, () => `${res.id}: "${res.task ?? ''}"`);
    },
  );
  withServer(episodes.command('release').argument('<episode>', 'episode id (epi_…)').description('Release an episode: it becomes immutable and may be put in datasets (researchers see it only de-identified, through an approved grant).')).action(
    async (id: string, opts: Opts) => {
      const res = await userClient(opts).post<Episode>(`/v1/episodes/${enc(id)}/release`);
      print(opts, res, () => `released ${res.id}`);
    },
  );
  withServer(episodes.command('delete').argument('<episode>', 'episode id (epi_…)').description('Delete an episode: its events are destroyed, released copy included.')).action(async (id: string, opts: Opts) => {
    await userClient(opts).delete(`/v1/episodes/${enc(id)}`);
    print(opts, { deleted: id }, () => `deleted ${id}`);
  });
}
