import { Command } from 'commander';
import { register as demo } from './commands/demo.ts';
import { register as enroll } from './commands/enroll.ts';
import { register as record } from './commands/record.ts';
import { register as sessions } from './commands/sessions.ts';
import { register as up } from './commands/up.ts';
import { register as users } from './commands/users.ts';

export function program(): Command {
  const cmd = new Command('lockstep')
    .description('Consent-first capture of expert computer-use trajectories.')
    .showHelpAfterError()
    .configureHelp({ showGlobalOptions: true });
  for (const add of [up, demo, enroll, users, record, sessions]) add(cmd);
  return cmd;
}
