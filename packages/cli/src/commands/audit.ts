import { type Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createClient } from '../client.ts';
import { tokenFor } from '../config.ts';
import { defaultDataDir } from './up.ts';

/**
 * `lockstep audit …`: the tamper-evident access log. verify, checkpoint, key and prove read the
 * data directory directly and read-only (no lock is taken, so they work while `lockstep up`
 * runs on it: SQLite gives them one committed snapshot); checkpoint and key can ask a server
 * instead (--server).
 */

interface DataOpts {
  data?: string;
  dataDir?: string;
  json?: boolean;
}

interface ServerOpts extends DataOpts {
  server?: string;
  token?: string;
}

function withData(cmd: Command): Command {
  return cmd
    .option('--data <dir>', 'data directory of the server (env LOCKSTEP_DATA; default as for `lockstep up`)')
    .addOption(new Option('--data-dir <dir>', 'same as --data').hideHelp())
    .option('--json', 'print JSON');
}

function withServer(cmd: Command): Command {
  return withData(cmd)
    .option('--server <url>', 'ask this server instead of reading a data directory')
    .option('--token <token>', 'your token for --server (default: the saved credential or LOCKSTEP_TOKEN)');
}

const dataDir = (opts: DataOpts) => resolve(opts.data ?? opts.dataDir ?? defaultDataDir());

function readNote(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the ${what} checkpoint ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

interface CheckpointView {
  checkpoint: string;
  origin: string;
  size: number;
  root: string;
  verifierKey: string;
}

async function fromServer(opts: ServerOpts): Promise<CheckpointView> {
  const server = opts.server!;
  const client = createClient(server, tokenFor(server, 'user', opts.token));
  return client.get<CheckpointView>('/v1/audit/checkpoint');
}

export function register(program: Command): void {
  const audit = program
    .command('audit')
    .description('The tamper-evident access log: verify it, keep its signed checkpoints, prove that it only grew.');

  withData(audit.command('verify').description('Recompute the whole audit log (hash chain, Merkle tree, signed checkpoints) and name the first bad entry.'))
    .option('--checkpoint <file>', 'a signed checkpoint kept elsewhere: the log must still extend it')
    .option('--key <verifier-key>', 'the verifier key to trust (default: derived from keys/audit-signing.key)')
    .addHelpText(
      'after',
      `
Exit status 0: every entry, the tree and every checkpoint check out. Exit status 1: the first
problem is printed, for example
  entry 41: contents changed (its hash does not match)
  entry 17 missing
  root differs from checkpoint of size 300: the log was rewritten
A rewrite that recomputes every hash is only visible against a checkpoint kept outside the data
directory: save one regularly with \`lockstep audit checkpoint > FILE\` and pass it here.`,
    )
    .action(async (opts: DataOpts & { checkpoint?: string; key?: string }) => {
      const { verifyAuditDir } = await import('@lockstep/server');
      const checkpoint = opts.checkpoint === undefined ? undefined : readNote(opts.checkpoint, 'given');
      const result = verifyAuditDir(dataDir(opts), { ...(checkpoint !== undefined ? { checkpoint } : {}), ...(opts.key ? { key: opts.key } : {}) });
      if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else if (result.ok) {
        const extends_ = checkpoint !== undefined ? `; it extends the checkpoint of size ${checkpoint.split('\n')[1]}` : '';
        process.stdout.write(`verified ${result.entries} entries, root ${result.root}; ${result.checkpoints} stored checkpoints check out${extends_}\n`);
      } else process.stderr.write(`lockstep: audit log verification failed: ${result.firstBad?.reason ?? 'unknown problem'}\n`);
      if (!result.ok) process.exitCode = 1;
    });

  withServer(audit.command('checkpoint').description('Print the latest signed checkpoint (a C2SP signed note) so that it can be kept elsewhere.'))
    .addHelpText(
      'after',
      `
The checkpoint states the log's size and root hash, signed with the log's key. Keep copies
outside the server (another machine, a witness); \`lockstep audit verify --checkpoint FILE\` and
\`lockstep audit prove\` later show whether the log still extends it.`,
    )
    .action(async (opts: ServerOpts) => {
      if (opts.server) {
        const view = await fromServer(opts);
        process.stdout.write(opts.json ? `${JSON.stringify(view, null, 2)}\n` : view.checkpoint);
        return;
      }
      const { readLatestCheckpoint, readVerifierKey } = await import('@lockstep/server');
      const note = readLatestCheckpoint(dataDir(opts));
      if (opts.json) {
        const [origin, size, root] = note.split('\n');
        process.stdout.write(`${JSON.stringify({ checkpoint: note, origin, size: Number(size), root, verifierKey: readVerifierKey(dataDir(opts)) }, null, 2)}\n`);
      } else process.stdout.write(note);
    });

  withServer(audit.command('key').description("Print the verifier key of the log's checkpoint signatures (<origin>+<key id>+<base64 key>)."))
    .action(async (opts: ServerOpts) => {
      const key = opts.server ? (await fromServer(opts)).verifierKey : (await import('@lockstep/server')).readVerifierKey(dataDir(opts));
      process.stdout.write(opts.json ? `${JSON.stringify({ verifierKey: key })}\n` : `${key}\n`);
    });

  withData(audit.command('prove').description('Prove with a consistency proof (RFC 6962) that a newer checkpoint extends an older one.'))
    .requiredOption('--from <file>', 'the older signed checkpoint')
    .requiredOption('--to <file>', 'the newer signed checkpoint (for example from `lockstep audit checkpoint`)')
    .option('--key <verifier-key>', 'the verifier key to trust (default: derived from keys/audit-signing.key)')
    .action(async (opts: DataOpts & { from: string; to: string; key?: string }) => {
      const { proveConsistency } = await import('@lockstep/server');
      const from = readNote(opts.from, 'older');
      const to = readNote(opts.to, 'newer');
      let result;
      try {
        result = proveConsistency(dataDir(opts), from, to, opts.key ? { key: opts.key } : {});
      } catch (err) {
        process.stderr.write(`lockstep: not consistent: ${(err as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      const view = { from: { size: result.from.size, root: result.from.root.toString('base64') }, to: { size: result.to.size, root: result.to.root.toString('base64') }, proof: result.proof };
      if (opts.json) process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
      else {
        process.stdout.write(`consistent: the log of ${view.to.size} entries (root ${view.to.root}) extends the log of ${view.from.size} (root ${view.from.root})\n`);
        process.stdout.write(`proof (${result.proof.length} hashes):\n${result.proof.map((h) => `  ${h}\n`).join('')}`);
      }
    });
}
