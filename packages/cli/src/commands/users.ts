import type { Command } from 'commander';
import { createClient } from '../client.ts';
import { defaultServer, tokenFor } from '../config.ts';

import { defaultProgram } from '../provision.ts';
import { type Opts, enc, print, table, userClient, withServer } from './common.ts';

const ROLES = ['subject', 'researcher', 'steward', 'security', 'admin'];

export function register(program: Command): void {
  const users = program.command('users').description('Manage people (admin).');
  users
    .command('add')
    .description('Create a person and print their one-time enrollment code.')
    .option('--role <role...>', `roles: ${ROLES.join(', ')}`, ['subject'])
    .option('--label <text>', 'a label to recognise them by (avoid personal data)')
    .option('--device-code', 'also print a device enrollment code for this person (subjects only)')
    .option('--program <program>', 'the program the device records for (default: the first program, created if there is none)')
    .option('--server <url>', 'Lockstep server (env LOCKSTEP_SERVER)', defaultServer())
    .option('--token <token>', 'admin token (default: the saved credential or LOCKSTEP_TOKEN)')
    .action(async (opts: { role: string[]; label?: string; deviceCode?: boolean; program?: string; server: string; token?: string }) => {
      for (const r of opts.role) if (!ROLES.includes(r)) throw new Error(`unknown role "${r}"; choose from ${ROLES.join(', ')}`);
      const client = createClient(opts.server, tokenFor(opts.server, 'user', opts.token));
      const res = await client.post<{ user: { id: string; roles: string[] }; enrollmentCode: string; expiresAt: string }>('/v1/users', {
        roles: opts.role,
        ...(opts.label ? { label: opts.label } : {}),
      });
      process.stdout.write(`created ${res.user.id} (${res.user.roles.join(', ')})\n`);
      process.stdout.write(`person enrollment code: ${res.enrollmentCode} (expires ${res.expiresAt})\n`);
      if (opts.deviceCode) {
        const programId = opts.program ?? (await defaultProgram(opts.server, tokenFor(opts.server, 'user', opts.token))).id;
        const dev = await client.post<{ enrollmentCode: string; expiresAt: string }>(`/v1/users/${encodeURIComponent(res.user.id)}/device-codes`, { program: programId });
        process.stdout.write(`device enrollment code: ${dev.enrollmentCode} (expires ${dev.expiresAt}), recording for program ${programId}\n`);
        process.stdout.write(`the device captures once the person accepts the program's notice: lockstep consent accept ${programId}\n`);
      }
    });

  program
    .command('device-code')
    .argument('<user>', 'the subject (usr_…) the device will record')
    .description('Create a one-time code that enrolls a recording device for a subject (admin).')
    .option('--program <program>', 'the program the device records for (default: the first program, created if there is none)')
    .option('--server <url>', 'Lockstep server (env LOCKSTEP_SERVER)', defaultServer())
    .option('--token <token>', 'admin token (default: the saved credential or LOCKSTEP_TOKEN)')
    .action(async (user: string, opts: { server: string; token?: string; program?: string }) => {
      const client = createClient(opts.server, tokenFor(opts.server, 'user', opts.token));
      const programId = opts.program ?? (await defaultProgram(opts.server, tokenFor(opts.server, 'user', opts.token))).id;
      const dev = await client.post<{ enrollmentCode: string; expiresAt: string }>(`/v1/users/${encodeURIComponent(user)}/device-codes`, { program: programId });
      process.stdout.write(`device enrollment code: ${dev.enrollmentCode} (expires ${dev.expiresAt})\n`);
    });

  withServer(users.command('list').description('List people with their devices and session counts (admin, security; no content).')).action(async (opts: Opts) => {
    const res = await userClient(opts).get<{ users: Array<{ id: string; roles: string[]; label: string | null; devices: unknown[]; sessions: number }> }>('/v1/users');
    print(opts, res.users, () => table(res.users.map((u) => ({ ...u, devices: u.devices.length })), ['id', 'roles', 'label', 'devices', 'sessions']));
  });
  withServer(users.command('roles').argument('<user>', 'the person (usr_…)').argument('<roles...>', `new roles: ${ROLES.join(', ')}`).description("Set a person's roles (admin; not your own).")).action(
    async (user: string, roles: string[], opts: Opts) => {
      for (const r of roles) if (!ROLES.includes(r)) throw new Error(`unknown role "${r}"; choose from ${ROLES.join(', ')}`);
      const res = await userClient(opts).put<{ id: string; roles: string[] }>(`/v1/users/${enc(user)}/roles`, { roles });
      print(opts, res, () => `${res.id}: ${res.roles.join(', ')}`);
    },
  );
  withServer(program.command('device-revoke').argument('<device>', 'device id (dev_…)').description('Revoke a device: its token stops working at once (admin, or its subject).')).action(async (id: string, opts: Opts) => {
    await userClient(opts).post(`/v1/devices/${enc(id)}/revoke`);
    print(opts, { revoked: id }, () => `revoked ${id}`);
  });
}
