import type { Command } from 'commander';
import { type Opts, enc, print, table, userClient, withServer } from './common.ts';

interface Consent {
  program: string;
  state: string;
  acceptedVersion: number | null;
  currentVersion: number;
}

export function register(program: Command): void {
  const consent = program.command('consent').description('Your consent to programs: show, accept, withdraw.');
  withServer(consent.command('show').description('Your consent to every program.')).action(async (opts: Opts) => {
    const { consents } = await userClient(opts).get<{ consents: Consent[] }>('/v1/me/consents');
    print(opts, consents, () => table(consents.map((c) => ({ ...c })), ['program', 'state', 'acceptedVersion', 'currentVersion']));
  });
  withServer(consent.command('accept').argument('[program]', 'program id (prg_…); may be left out when there is only one').description("Read a program's current notice and accept it; your devices recording for it may then capture.")).action(
    async (id: string | undefined, opts: Opts) => {
      const client = userClient(opts);
      const { programs } = await client.get<{ programs: Array<{ id: string; name: string; notice: { version: number; text: string } }> }>('/v1/programs');
      const p = id ? programs.find((x) => x.id === id) : programs.length === 1 ? programs[0] : undefined;
      if (!p) throw new Error(id ? `no program ${id}` : `name the program: ${programs.map((x) => x.id).join(', ') || 'there is none yet'}`);
      const res = await client.post<Consent>(`/v1/me/consents/${enc(p.id)}`, { noticeVersion: p.notice.version });
      print(opts, res, () => `${p.name} (${p.id}), notice version ${p.notice.version}:\n${p.notice.text}\n\naccepted; capture for this program may run`);
    },
  );
  withServer(consent.command('withdraw').argument('<program>', 'program id (prg_…)').description('Withdraw consent: capture stops at once, and what was recorded for the program is destroyed.'))
    .option('--keep-released', 'keep the episodes you already released (they stay in datasets)')
    .action(async (id: string, opts: Opts & { keepReleased?: boolean }) => {
      const res = await userClient(opts).post<{ sessionsShredded: number; episodesShredded: number; episodesKept: number; subjectKeyDestroyed: boolean }>(`/v1/me/consents/${enc(id)}/withdraw`, {
        keepReleased: Boolean(opts.keepReleased),
      });
      print(opts, res, () => `withdrawn: ${res.sessionsShredded} sessions and ${res.episodesShredded} released episodes destroyed, ${res.episodesKept} kept${res.subjectKeyDestroyed ? '; your data key is destroyed' : ''}`);
    });
}
