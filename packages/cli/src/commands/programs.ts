import type { Command } from 'commander';
import { type Opts, enc, print, table, userClient, withServer } from './common.ts';

interface Program {
  id: string;
  name: string;
  purposes: string[];
  modalities: string[];
  retentionDays: number;
  idleGapMs: number;
  notice: { version: number; text: string };
}
const PURPOSES = 'agent-training, evaluation, safety-research, product-research';

export function register(program: Command): void {
  const programs = program.command('programs').description('Programs: what is collected, why, for how long, and the consent notice (admin).');
  withServer(programs.command('add').argument('<name>', 'a name for the program').description('Declare a program (admin).'))
    .requiredOption('--purpose <purpose...>', `why the data is collected: ${PURPOSES}`)
    .requiredOption('--notice <text>', 'the consent notice subjects accept')
    .option('--modality <kind...>', 'event kinds collected', ['pointer', 'wheel', 'scroll', 'key', 'input', 'focus', 'navigation', 'viewport', 'marker'])
    .option('--retention-days <n>', 'how long recordings are kept', '365')
    .option('--idle-gap <seconds>', 'cut sessions into episodes at idle gaps longer than this', '300')
    .action(async (name: string, opts: Opts & { purpose: string[]; notice: string; modality: string[]; retentionDays: string; idleGap: string }) => {
      const res = await userClient(opts).post<Program>('/v1/programs', {
        name,
        purposes: opts.purpose,
        modalities: opts.modality,
        retentionDays: Number(opts.retentionDays),
        idleGapMs: Number(opts.idleGap) * 1000,
        notice: opts.notice,
      });
      print(opts, res, () => `created program ${res.id} (${res.purposes.join(', ')}), notice version ${res.notice.version}`);
    });
  withServer(programs.command('list').description('List programs and their current notice versions.')).action(async (opts: Opts) => {
    const { programs: list } = await userClient(opts).get<{ programs: Program[] }>('/v1/programs');
    print(opts, list, () => table(list.map((p) => ({ id: p.id, name: p.name, purposes: p.purposes, notice: `v${p.notice.version}`, retention: `${p.retentionDays}d` })), ['id', 'name', 'purposes', 'notice', 'retention']));
  });
  withServer(programs.command('notice').argument('<program>', 'program id (prg_…)').argument('[text]', 'a new notice; without it, the current one is shown').description('Show the consent notice, or publish a new version (admin); a new version stops capture until subjects accept it again.')).action(
    async (id: string, text: string | undefined, opts: Opts) => {
      const client = userClient(opts);
      if (text === undefined) {
        const { programs: list } = await client.get<{ programs: Program[] }>('/v1/programs');
        const p = list.find((x) => x.id === id);
        if (!p) throw new Error(`no program ${id}`);
        print(opts, p.notice, () => `notice version ${p.notice.version}:\n${p.notice.text}`);
        return;
      }
      const res = await client.put<Program>(`/v1/programs/${enc(id)}/notice`, { text });
      print(opts, res, () => `published notice version ${res.notice.version} of ${res.id}; subjects must accept it again before capture resumes`);
    },
  );
}
