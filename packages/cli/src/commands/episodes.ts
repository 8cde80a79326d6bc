import { type Command, InvalidArgumentError } from 'commander';
import type { CaptureEvent } from '@lockstep/schema';
import { eventsTable, formatDuration } from '../format.ts';
import { type Opts, enc, print, table, userClient, withServer } from './common.ts';

interface Episode {
  id: string;
  session: string;
  startT: number;
  endT: number;
  durationMs: number;
  events: number | null;
  apps: number | null;
  reason: string | null;
  status: string;
  task: string | null;
}

/** --at: seconds from the episode's start (a decimal number ≥ 0). */
export function parseSeconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`"${value}" is not a number of seconds (from the episode's start), such as 90 or 12.5.`);
  return n;
}

/** The session time (ms) `seconds` after an episode's first event. */
export const splitTime = (episode: Pick<Episode, 'startT'>, seconds: number): number => episode.startT + seconds * 1000;

const rows = (list: Episode[]) =>
  list.map((e) => ({ ...e, duration: formatDuration(e.durationMs ?? e.endT - e.startT), cut: e.reason }));
const COLUMNS = ['id', 'session', 'status', 'duration', 'events', 'apps', 'cut', 'task'];

export function register(program: Command): void {
  const episodes = program
    .command('episodes')
    .description('Your episodes (sessions cut at idle gaps, app switches, pauses and where you split them): list, show, label, split, merge, release, delete.');
  withServer(
    episodes
      .command('list')
      .description('List your episodes (metadata only): how long each lasts, its events, how many apps it moves through, and why it starts where it does (cut: start, idle, app, marker, subject).'),
  ).action(async (opts: Opts) => {
    const { episodes: list } = await userClient(opts).get<{ episodes: Episode[] }>('/v1/episodes');
    print(opts, list, () => table(rows(list), COLUMNS));
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
  withServer(
    episodes
      .command('split')
      .argument('<episode>', 'episode id (epi_…)')
      .requiredOption('--at <seconds>', "where the second part starts, in seconds from the episode's start (its first event at or after that moment starts it)", parseSeconds)
      .description('Split an open episode in two; the first part keeps its id and task.'),
  ).action(async (id: string, opts: Opts & { at: number }) => {
    const client = userClient(opts);
    // The episode's start, from the listing (metadata only; reading the episode itself would read its content).
    const { episodes: list } = await client.get<{ episodes: Episode[] }>('/v1/episodes');
    const episode = list.find((e) => e.id === id);
    if (!episode) throw new Error(`no episode ${id} among yours (lockstep episodes list)`);
    const res = await client.post<{ episodes: [Episode, Episode] }>(`/v1/episodes/${enc(id)}/split`, { at: splitTime(episode, opts.at) });
    print(opts, res, () => `split ${id} in two:\n${table(rows(res.episodes), COLUMNS)}`);
  });
  withServer(
    episodes
      .command('merge')
      .argument('<episode>', 'episode id (epi_…)')
      .argument('<next>', 'the episode just after it (or just before it)')
      .description('Merge two open episodes next to each other in one session; the earlier keeps its id and its task (or takes the other one\'s).'),
  ).action(async (id: string, next: string, opts: Opts) => {
    const res = await userClient(opts).post<Episode>(`/v1/episodes/${enc(id)}/merge`, { with: next });
    print(opts, res, () => `merged into ${res.id}:\n${table(rows([res]), COLUMNS)}`);
  });
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
