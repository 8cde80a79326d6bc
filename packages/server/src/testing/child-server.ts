import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const runner = fileURLToPath(new URL('./run-server.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('../../', import.meta.url));
const children: ChildProcess[] = [];

export interface ChildServer {
  child: ChildProcess;
  url: string;
  bootstrapCode: string;
}

/** Starts the server on `dataDir` in a child process (for kill -9 tests) and waits for its {url, bootstrapCode} line. */
export async function spawnChildServer(dataDir: string): Promise<ChildServer> {
  // `--import tsx` resolves from the working directory: run from the package, whose ancestors hold it.
  const child = spawn(process.execPath, ['--import', 'tsx', runner, dataDir], { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server exited (${String(code)}) before it was ready: ${stderr}`)));
  });
  const { url, bootstrapCode } = JSON.parse(first) as { url: string; bootstrapCode: string };
  return { child, url, bootstrapCode };
}

/** Resolves once the child has exited (at once if it already has). */
export const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

/** Kills (SIGKILL) every child server still running; for afterEach. */
export function killChildServers(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.length = 0;
}
