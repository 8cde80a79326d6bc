import { Command } from 'commander';

export function program(): Command {
  const cmd = new Command('lockstep')
    .description('Consent-first capture of expert computer-use trajectories.')
    .showHelpAfterError();
  return cmd;
}
