import { issueBootstrapCode } from './accounts.ts';
import { type App, buildApp } from './app.ts';
import type { LogStream } from './http/logging.ts';
import { type EmbeddedLockstep, openLockstep } from './lockstep.ts';
import { loadAuthorizer, readPolicySources } from './policy/authorize.ts';
import { verifiedPolicies } from './policy/check.ts';

export interface StartServerOptions {
  dataDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  logStream?: LogStream;
  logLevel?: string;
  /** Trusted time source (ms since the epoch); defaults to Date.now. */
  clock?: () => number;
  /**
   * Directory with policies.cedar (and optionally lockstep.cedarschema) to use instead of the
   * shipped ones (env LOCKSTEP_POLICIES). Whichever are used must keep every promise of
   * policy/promises.ts, or the server refuses to start (PolicyPromiseError).
   */
  policyDir?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  app: App;
  lockstep: EmbeddedLockstep;
  /** A fresh one-time code that enrolls an admin; earlier unused ones no longer work. */
  bootstrapCode: string;
  bootstrapExpiresAt: number;
  close(): Promise<void>;
}

/** Opens (or creates) the data directory, issues a bootstrap code and starts listening. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  // Before anything is opened: policies that break a promise stop the start, naming it.
  const sources = verifiedPolicies(readPolicySources(options.policyDir ?? (process.env.LOCKSTEP_POLICIES || undefined)));
  const lockstep = await openLockstep(options.dataDir, options.clock ? { clock: options.clock } : {});
  let app: App | undefined;
  try {
    const authorizer = loadAuthorizer(sources, lockstep.clock);
    app = await buildApp({ lockstep, authorizer, logStream: options.logStream, logLevel: options.logLevel });
    const bootstrap = await issueBootstrapCode(lockstep);
    await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('the server has no TCP address');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const running = app;
    let closing: Promise<void> | undefined;
    return {
      url: `http://${host}:${address.port}`,
      port: address.port,
      app: running,
      lockstep,
      bootstrapCode: bootstrap.code,
      bootstrapExpiresAt: bootstrap.expiresAt,
      close() {
        closing ??= (async () => {
          await running.close();
          await lockstep.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await app?.close();
    await lockstep.close();
    throw error;
  }
}
