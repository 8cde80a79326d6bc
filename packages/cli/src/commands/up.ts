import type { Command } from 'commander';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RunningServer } from '@lockstep/server';
import { DEFAULT_PORT } from '../config.ts';
import { parsePort } from '../options.ts';

export function defaultDataDir(): string {
  if (process.env.LOCKSTEP_DATA) return process.env.LOCKSTEP_DATA;
  const base = process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share');
  return join(base, 'lockstep');
}

export function register(program: Command): void {
  program
    .command('up')
    .description('Run the Lockstep server on the embedded store (SQLite + a local data directory).')
    .option('--data <dir>', 'data directory, created with its keys on first run (env LOCKSTEP_DATA)', defaultDataDir())
    .option('--port <n>', 'TCP port (env LOCKSTEP_PORT)', parsePort, process.env.LOCKSTEP_PORT ? parsePort(process.env.LOCKSTEP_PORT) : DEFAULT_PORT)
    .option('--host <host>', 'address to listen on (env LOCKSTEP_HOST)', process.env.LOCKSTEP_HOST ?? '127.0.0.1')
    .option('--log-level <level>', 'fatal, error, warn, info or debug', 'info')
    .option('--policies <dir>', 'a directory with policies.cedar (and optionally lockstep.cedarschema) to use instead of the shipped ones (env LOCKSTEP_POLICIES); they must pass `lockstep policy check`')
    .addHelpText(
      'after',
      `
On start it prints "listening on http://HOST:PORT" and a one-time admin enrollment code
(valid for 24 hours; each start issues a fresh one). Enroll with it:
  lockstep enroll CODE --server http://HOST:PORT
Policies that break a promise (see \`lockstep policy check\`) stop the start, naming the
promise and the request.
SIGTERM or Ctrl+C stops the server cleanly.`,
    )
    .action(async (opts: { data: string; port: number; host: string; logLevel: string; policies?: string }) => {
      // Signals are handled from the start: a stop that arrives while the data directory is
      // still being opened waits for it, then closes it cleanly.
      const state: { server?: RunningServer; stopping: boolean } = { stopping: false };
      const stop = async (signal: string) => {
        if (state.stopping) return;
        state.stopping = true;
        process.stdout.write(`${signal}: stopping\n`);
        if (!state.server) return; // the start-up path below sees `stopping` and closes
        await state.server.close();
        process.exit(0);
      };
      process.on('SIGTERM', () => void stop('SIGTERM'));
      process.on('SIGINT', () => void stop('SIGINT'));
      const { startServer } = await import('@lockstep/server');
      const server = await startServer({
        dataDir: resolve(opts.data),
        host: opts.host,
        port: opts.port,
        logLevel: opts.logLevel,
        logStream: process.stderr,
        ...(opts.policies ? { policyDir: resolve(opts.policies) } : {}),
      });
      state.server = server;
      if (state.stopping) {
        await server.close();
        process.exit(0);
      }
      process.stdout.write(`listening on ${server.url}\n`);
      process.stdout.write(`data directory: ${resolve(opts.data)}\n`);
      process.stdout.write(`admin enrollment code (one-time): ${server.bootstrapCode}\n`);
    });
}
