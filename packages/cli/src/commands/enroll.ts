import type { Command } from 'commander';
import { createClient } from '../client.ts';
import { defaultServer, saveCredential } from '../config.ts';

interface EnrollResponse {
  kind: 'user' | 'device';
  token: string;
  user?: { id: string; roles: string[] };
  device?: { id: string; subject: string };
}

export function register(program: Command): void {
  program
    .command('enroll')
    .argument('<code>', 'the enrollment code an admin gave you')
    .description('Exchange an enrollment code for a credential (a person\'s or a device\'s) and save it on this machine.')
    .option('--server <url>', 'Lockstep server (env LOCKSTEP_SERVER)', defaultServer())
    .option('--label <text>', 'a label for this device, e.g. "work laptop browser"')
    .action(async (code: string, opts: { server: string; label?: string }) => {
      const client = createClient(opts.server);
      const res = await client.post<EnrollResponse>('/v1/enroll', { code: code.trim(), platform: 'browser', ...(opts.label ? { label: opts.label } : {}) });
      if (res.kind === 'user' && res.user) {
        const path = saveCredential(opts.server, 'user', { token: res.token, id: res.user.id, roles: res.user.roles });
        process.stdout.write(`enrolled as ${res.user.id} (${res.user.roles.join(', ')}); credential saved in ${path}\n`);
      } else if (res.kind === 'device' && res.device) {
        const path = saveCredential(opts.server, 'device', { token: res.token, id: res.device.id, subject: res.device.subject });
        process.stdout.write(`device ${res.device.id} enrolled for ${res.device.subject}; credential saved in ${path}\n`);
      } else {
        throw new Error('the server answered the enrollment with something this CLI does not understand; is it a newer version?');
      }
    });
}
