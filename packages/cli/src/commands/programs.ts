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
  desktopApps: string[];
  desktopTitles: string[];
  screenshots: boolean;
  paused: { at: string; by: string; reason: string } | null;
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
    print(opts, list, () =>
      table(
        list.map((p) => ({ id: p.id, name: p.name, purposes: p.purposes, notice: `v${p.notice.version}`, retention: `${p.retentionDays}d`, paused: p.paused ? `since ${p.paused.at}` : null })),
        ['id', 'name', 'purposes', 'notice', 'retention', 'paused'],
      ),
    );
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
  withServer(
    programs
      .command('desktop')
      .argument('<program>', 'program id (prg_…)')
      .description(
        'Show or set what the desktop agent records for a program (admin): application classes (X11 WM_CLASS class, such as xterm or code; none: nothing on the desktop), ' +
          'window title patterns (`*` for any run of characters, matched whole and ignoring case; none: any title of those apps), and screenshots of the active window. Options left out keep their value.',
      ),
  )
    .option('--apps <classes>', 'comma-separated application classes, such as xterm,code ("" for none)')
    .option('--titles <patterns>', 'comma-separated title patterns, such as "ticket-*,* - Visual Studio Code" ("" for any title)')
    .option('--screenshots', 'take screenshots of the active window')
    .option('--no-screenshots', 'take no screenshots')
    .action(async (id: string, opts: Opts & { apps?: string; titles?: string; screenshots?: boolean }) => {
      const client = userClient(opts);
      const list = (value: string) => value.split(',').map((x) => x.trim()).filter((x) => x !== '');
      const change = {
        ...(opts.apps !== undefined ? { desktopApps: list(opts.apps) } : {}),
        ...(opts.titles !== undefined ? { desktopTitles: list(opts.titles) } : {}),
        ...(opts.screenshots !== undefined ? { screenshots: opts.screenshots } : {}),
      };
      let p: Program | undefined;
      if (Object.keys(change).length > 0) p = await client.put<Program>(`/v1/programs/${enc(id)}/desktop`, change);
      else {
        p = (await client.get<{ programs: Program[] }>('/v1/programs')).programs.find((x) => x.id === id);
        if (!p) throw new Error(`no program ${id}`);
      }
      const shown = { desktopApps: p.desktopApps, desktopTitles: p.desktopTitles, screenshots: p.screenshots };
      print(opts, shown, () =>
        [
          `desktop settings of ${p.id}:`,
          `  apps: ${p.desktopApps.length > 0 ? p.desktopApps.join(', ') : '(none: nothing on the desktop is recorded)'}`,
          `  titles: ${p.desktopTitles.length > 0 ? p.desktopTitles.join(', ') : '(any title of those apps)'}`,
          `  screenshots: ${p.screenshots ? 'on (active window only)' : 'off'}`,
        ].join('\n'),
      );
    });
  withServer(
    programs
      .command('pause')
      .argument('<program>', 'program id (prg_…)')
      .description('The kill switch: stop capture for every device of a program (admin, security). Devices stop within 5 s; what they captured before still uploads. On the audit log with your reason.'),
  )
    .requiredOption('--reason <text>', 'why, in a few words (written to the audit log)')
    .action(async (id: string, opts: Opts & { reason: string }) => {
      const res = await userClient(opts).post<Program>(`/v1/programs/${enc(id)}/pause`, { reason: opts.reason });
      print(opts, res, () => `capture of ${res.id} is paused since ${res.paused?.at ?? '?'} (by ${res.paused?.by ?? '?'}: ${res.paused?.reason ?? ''})`);
    });
  withServer(programs.command('resume').argument('<program>', 'program id (prg_…)').description('End the pause: devices of a program capture again where their subject has accepted the current notice (admin, security).'))
    .option('--reason <text>', 'why (written to the audit log)')
    .action(async (id: string, opts: Opts & { reason?: string }) => {
      const res = await userClient(opts).post<Program>(`/v1/programs/${enc(id)}/resume`, opts.reason === undefined ? {} : { reason: opts.reason });
      print(opts, res, () => `capture of ${res.id} runs again`);
    });
}
