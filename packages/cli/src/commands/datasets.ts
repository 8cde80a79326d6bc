import type { Command } from 'commander';
import { type Opts, print, table, userClient, withServer } from './common.ts';

interface Dataset {
  id: string;
  program: string;
  name: string;
  episodes: string[];
}

export function register(program: Command): void {
  const datasets = program.command('datasets').description('Datasets: selections of released episodes of one program (researcher, steward).');
  withServer(datasets.command('add').argument('<name>', 'a name for the dataset').description('Create a dataset of released episodes of a program (all released so far, or those named).'))
    .requiredOption('--program <program>', 'program id (prg_…)')
    .option('--episode <id...>', 'only these released episodes')
    .action(async (name: string, opts: Opts & { program: string; episode?: string[] }) => {
      const res = await userClient(opts).post<Dataset>('/v1/datasets', { program: opts.program, name, ...(opts.episode ? { episodes: opts.episode } : {}) });
      print(opts, res, () => `created dataset ${res.id} with ${res.episodes.length} released episodes`);
    });
  withServer(datasets.command('list').description('List datasets.')).action(async (opts: Opts) => {
    const { datasets: list } = await userClient(opts).get<{ datasets: Dataset[] }>('/v1/datasets');
    print(opts, list, () => table(list.map((d) => ({ id: d.id, program: d.program, name: d.name, episodes: d.episodes.length })), ['id', 'program', 'name', 'episodes']));
  });
}
