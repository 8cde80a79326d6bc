import { homedir } from 'node:os';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import type { AgentStatus } from '@lockstep/agent';
// Small and free of native code, unlike the rest of the agent (loaded only by the commands that need it).
import { parseDuration as parseDurationSync } from '@lockstep/agent/duration';
import { defaultServer } from '../config.ts';

/** The agent's directory: LOCKSTEP_AGENT_DIR, else lockstep/agent in the user's data directory. */
export function defaultAgentDir(): string {
  if (process.env.LOCKSTEP_AGENT_DIR) return process.env.LOCKSTEP_AGENT_DIR;
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'lockstep', 'agent');
}

interface DirOpts {
  dir: string;
}

const withDir = (cmd: Command): Command => cmd.option('--dir <path>', 'the agent directory (env LOCKSTEP_AGENT_DIR)', defaultAgentDir());

/** Exit code for "no display": nothing to record here. */
export const EXIT_NO_DISPLAY = 3;

export function register(program: Command): void {
  const agent = program
    .command('agent')
    .description('The desktop capture agent: records keys, mouse and the window they went to, for the programs you consented to. Subcommands: enroll, start, status, pause, resume.')
    .addHelpText(
      'after',
      '\nThe agent records only allow-listed apps, only after you accepted the program\'s current notice, and never what you type into a\n' +
        'password prompt. Alt+Shift+P pauses and resumes from anywhere; `lockstep agent status` says what is being recorded right now.',
    );

  withDir(
    agent
      .command('enroll')
      .argument('<code>', 'a device code an admin made for you')
      .description('Enroll this computer as a desktop device (its id is all the server learns of it: no host, MAC or account name).')
      .option('--server <url>', 'Lockstep server (env LOCKSTEP_SERVER)', defaultServer())
      .option('--label <text>', 'a label for this device, e.g. "work laptop"'),
  ).action(async (code: string, opts: DirOpts & { server: string; label?: string }) => {
    const { enrollAgent } = await import('@lockstep/agent');
    const res = await enrollAgent(opts.dir, opts.server, code, opts.label);
    process.stdout.write(`desktop device ${res.id} enrolled for ${res.subject}; credential saved in ${res.path}\n`);
  });

  withDir(
    agent
      .command('start')
      .description('Run the agent in the foreground until Ctrl+C (needs an X display: DISPLAY).')
      .option('--display <display>', 'X display to record (default: DISPLAY)')
      .option('--max-spool <MiB>', 'local spool limit; capture stops with a gap marker when it is full', (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 1_048_576) throw new InvalidArgumentError('give a whole number of MiB between 1 and 1048576');
        return n;
      }),
  ).action(async (opts: DirOpts & { display?: string; maxSpool?: number }) => {
    const { startAgent, NoDisplayError } = await import('@lockstep/agent');
    let running;
    try {
      running = await startAgent({
        dir: opts.dir,
        ...(opts.display ? { display: opts.display } : {}),
        ...(opts.maxSpool ? { maxSpoolBytes: opts.maxSpool * 1048576 } : {}),
        log: (line) => process.stderr.write(`agent: ${line}\n`),
      });
    } catch (error) {
      if (error instanceof NoDisplayError) {
        process.stderr.write(`lockstep: ${error.message}\n`);
        process.exit(EXIT_NO_DISPLAY);
      }
      throw error;
    }
    const stop = () => void running.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    process.stderr.write(`agent: ${running.status().summary}\n`);
    await running.done;
    process.stderr.write('agent: stopped\n');
    process.exit(0);
  });

  withDir(
    agent
      .command('status')
      .description('What the agent is recording right now.')
      .option('--json', 'print JSON')
      .option('--page', "print the address of the agent's status page (with its access token) instead"),
  ).action(async (opts: DirOpts & { json?: boolean; page?: boolean }) => {
    const { callAgent, readControlFile } = await import('@lockstep/agent');
    if (opts.page) {
      const control = readControlFile(opts.dir);
      if (!control) throw new Error(`no agent is running for ${opts.dir} (start one with \`lockstep agent start\`)`);
      process.stdout.write(`http://127.0.0.1:${control.port}/?token=${control.token}\n`);
      return;
    }
    const s = await callAgent(opts.dir, 'GET', '/status');
    process.stdout.write(opts.json ? `${JSON.stringify(s, null, 2)}\n` : `${describe(s)}\n`);
  });

  withDir(
    agent
      .command('pause')
      .description('Pause recording at once, with no limit, or for a while.')
      .option('--for <duration>', 'resume by itself after this long: 90s, 10m, 2h, 1h30m', (v) => {
        try {
          return parseDurationSync(v);
        } catch (error) {
          throw new InvalidArgumentError((error as Error).message);
        }
      })
      .option('--json', 'print JSON'),
  ).action(async (opts: DirOpts & { for?: number; json?: boolean }) => {
    const { callAgent } = await import('@lockstep/agent');
    const s = await callAgent(opts.dir, 'POST', '/pause', opts.for ? { forMs: opts.for } : {});
    process.stdout.write(opts.json ? `${JSON.stringify(s, null, 2)}\n` : `${s.summary}\n`);
  });

  withDir(agent.command('resume').description('Resume recording after a pause (a program pause can only be lifted by the program).').option('--json', 'print JSON')).action(
    async (opts: DirOpts & { json?: boolean }) => {
      const { callAgent } = await import('@lockstep/agent');
      const s = await callAgent(opts.dir, 'POST', '/resume');
      process.stdout.write(opts.json ? `${JSON.stringify(s, null, 2)}\n` : `${s.summary}\n`);
    },
  );
}

function describe(s: AgentStatus): string {
  const lines = [s.summary];
  lines.push(`  program: ${s.program ? `${s.program.name} (${s.program.id})` : 'none'}; apps: ${s.allowList.apps.join(', ') || 'none'}; screenshots ${s.screenshots ? 'on' : 'off'}`);
  lines.push(`  session ${s.session ?? '-'}: ${s.events} events; spool ${s.spool.batches} batches (${Math.round(s.spool.bytes / 1024)} KiB); upload ${s.upload.state}`);
  return lines.join('\n');
}
