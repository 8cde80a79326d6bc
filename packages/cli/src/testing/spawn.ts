import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const LOCKSTEP_BIN = fileURLToPath(new URL('../../bin/lockstep.js', import.meta.url));

export interface SpawnedServer {
  url: string;
  bootstrapCode: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far (its log included). */
  output(): string;
  /** SIGTERM, then wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL, then wait for exit. */
  kill(): Promise<void>;
}

/** Starts `lockstep up` in its own process on a free port and waits until it listens. */
export async function spawnServer(dataDir: string, extraArgs: string[] = []): Promise<SpawnedServer> {
  const child = spawn(process.execPath, [LOCKSTEP_BIN, 'up', '--data', dataDir, '--port', '0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOCKSTEP_DEBUG: '' },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await new Promise<{ url: string; code: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lockstep up did not start within 30 s:\n${out}`)), 30_000);
    const check = () => {
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      const code = /admin enrollment code \(one-time\): (\S+)/.exec(out)?.[1];
      if (url && code) {
        clearTimeout(timer);
        resolve({ url, code });
      }
    };
    child.stdout!.on('data', check);
    void exited.then((c) => {
      clearTimeout(timer);
      reject(new Error(`lockstep up exited with ${c} before listening:\n${out}`));
    });
  });
  return {
    url: ready.url,
    bootstrapCode: ready.code,
    child,
    output: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
