import { Command } from 'commander';
import { register as audit } from './commands/audit.ts';
import { register as demo } from './commands/demo.ts';
import { register as enroll } from './commands/enroll.ts';
import { register as record } from './commands/record.ts';
import { register as redact } from './commands/redact.ts';
import { register as sessions } from './commands/sessions.ts';
import { register as up } from './commands/up.ts';
import { register as users } from './commands/users.ts';
import { register as policy } from './commands/policy.ts';
import { register as programs } from './commands/programs.ts';
import { register as consent } from './commands/consent.ts';
import { register as episodes } from './commands/episodes.ts';
import { register as datasets } from './commands/datasets.ts';
import { register as grants } from './commands/grants.ts';
import { register as breakGlass } from './commands/break-glass.ts';
import { register as access } from './commands/access.ts';
import { register as exportCmd } from './commands/export.ts';
import { register as replay } from './commands/replay.ts';
import { register as agent } from './commands/agent.ts';

export function program(): Command {
  const cmd = new Command('lockstep')
    .description('Consent-first capture of expert computer-use trajectories.')
    .showHelpAfterError()
    .configureHelp({ showGlobalOptions: true });
  for (const add of [up, demo, enroll, users, programs, consent, record, agent, sessions, episodes, datasets, grants, exportCmd, replay, breakGlass, access, policy, audit, redact]) add(cmd);
  return cmd;
}
