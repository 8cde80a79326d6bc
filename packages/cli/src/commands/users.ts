import type { Command } from 'commander';
import { createClient } from '../client.ts';
import { defaultServer, tokenFor } from '../config.ts';

const ROLES = ['subject', 'admin'];

export function register(program: Command): void {
  const users = program.command('users').description('Manage people (admin).');
  users
    .command('add')
    .description('Create a person and print their one-time enrollment code.')
    .option('--role <role...>', `roles: ${ROLES.join(', ')}`, ['subject'])
    .option('--label <text>', 'a label to recognise them by (avoid personal data)')
    .option('--device-code', 'also print a device enrollment code for this person (subjects only)')
    .option('--server <url>', 'Lockstep server (env LOCKSTEP_SERVER)', defaultServer())
    .option('--token <token>', 'admin token (default: the saved credential or LOCKSTEP_TOKEN)')
    .action(async (opts: { role: string[]; label?: string; deviceCode?: boolean; server: string; token?: string }) => {
      for (const r of opts.role) if (!ROLES.includes(r)) throw new Error(`unknown role "${r}"; choose from ${ROLES.join(', ')}`);
      const client = createClient(opts.server, tokenFor(opts.server, 'user', opts.token));
      const res = await client.post<{ user: { id: string; roles: string[] }; enrollmentCode: string; expiresAt: string }>('/v1/users', {
        roles: opts.role,
        ...(opts.label ? { label: opts.label } : {}),
      });
      process.stdout.write(`created ${res.user.id} (${res.user.roles.join(', ')})\n`);
      process.stdout.write(`person enrollment code: ${res.enrollmentCode} (expires ${res.expiresAt})\n`);
      if (opts.deviceCode) {
        const dev = await client.post<{ enrollmentCode: string; expiresAt: string }>(`/v1/users/${encodeURIComponent(res.user.id)}/device-codes`);
        process.stdout.write(`device enrollment code: ${dev.enrollmentCode} (expires ${dev.expiresAt})\n`);
      }
    });

  program
    .command('device-code')
    .argument('<user>', 'the subject (usr_…) the device will record')
    .description('Create a one-time code that enrolls a recording device for a subject (admin).')
    .option('--server <url>', 'Lockstep server (env LOCKSTEP_SERVER)', defaultServer())
    .option('--token <token>', 'admin token (default: the saved credential or LOCKSTEP_TOKEN)')
    .action(async (user: string, opts: { server: string; token?: string }) => {
      const client = createClient(opts.server, tokenFor(opts.server, 'user', opts.token));
      const dev = await client.post<{ enrollmentCode: string; expiresAt: string }>(`/v1/users/${encodeURIComponent(user)}/device-codes`);
      process.stdout.write(`device enrollment code: ${dev.enrollmentCode} (expires ${dev.expiresAt})\n`);
    });
}
