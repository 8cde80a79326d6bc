import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import type { ChatShape } from '@lockstep/trajectory';
import { CHAT_SHAPES, EXPORT_FORMATS, type ExportFormat } from '../export/writers.ts';
import { runExport } from '../export/run.ts';
import { fromManifest, readRevocations, type RevocationsQuery } from '../export/revoked.ts';
import { type Opts, print, table, userClient, withServer } from './common.ts';

function listOf<T extends string>(value: string, allowed: readonly T[], what: string): T[] {
  const items = [...new Set(value.split(',').map((s) => s.trim()).filter(Boolean))];
  if (items.length === 0) throw new Error(`${what}: name at least one of ${allowed.join(', ')}`);
  for (const item of items) if (!(allowed as readonly string[]).includes(item)) throw new Error(`${what}: "${item}" is not one of ${allowed.join(', ')}`);
  return items as T[];
}

interface ExportOpts extends Opts {
  grant?: string;
  out?: string;
  format: string;
  chatShape: string;
}

interface ExportListItem {
  id: string;
  grant: string;
  purpose: string;
  date: string;
  episodes: number;
}

export function register(program: Command): void {
  const exp = withServer(
    program
      .command('export')
      .description('Export the episodes of an approved grant, de-identified, as training data (researcher).')
      // Checked in the action rather than required here: commander would demand them of `export revoked` and `export list` too.
      .option('--grant <grant>', 'an approved grant of yours (grt_…); required')
      .option('--out <dir>', 'a new or empty folder for the files; required')
      .option('--format <formats>', `comma-separated: ${EXPORT_FORMATS.join(', ')}`, EXPORT_FORMATS.join(','))
      .option('--chat-shape <shapes>', `for --format chat, comma-separated: ${CHAT_SHAPES.join(', ')}`, 'anthropic,openai')
      .addHelpText(
        'after',
        `
Files: episodes.jsonl (one trajectory per line; schema in trajectory-v1.schema.json),
steps.parquet (one row per step), chat-SHAPE.jsonl (fine-tuning chats), playwright/ID.mjs
(a replay script per web episode), dataset-card.md/.json, and manifest.json (the episodes,
the files with their SHA-256, and where the signed revocation feed stood, with its key).

Subjects are pseudonyms valid in this export only; times are offsets from each episode's
start; host names are site aliases unless the program lets them through. When a subject
later deletes an episode, it appears on the revocation feed: run
  lockstep export revoked --manifest DIR/manifest.json
and delete every copy of the listed episodes.`,
      ),
  );
  exp.action(async (opts: ExportOpts) => {
    if (!opts.grant || !opts.out) throw new Error('lockstep export needs --grant GRANT and --out DIR (see lockstep export --help)');
    const { grant, out } = opts;
    const formats = listOf<ExportFormat>(opts.format, EXPORT_FORMATS, '--format');
    const chatShapes = listOf<ChatShape>(opts.chatShape, CHAT_SHAPES, '--chat-shape');
    const bar = process.stderr.isTTY && !opts.json ? new SingleBar({ format: 'exporting [{bar}] {value}/{total} episodes, {steps} steps, {eta_formatted} left', hideCursor: true, stream: process.stderr }) : null;
    let summary;
    try {
      summary = await runExport({
        client: userClient(opts),
        grant,
        out,
        formats,
        chatShapes,
        onStart: (created) => bar?.start(created.episodes, 0, { steps: 0 }),
        onProgress: (p) => bar?.update(p.episodes, { steps: p.steps }),
      });
    } finally {
      bar?.stop();
    }
    const { manifest, card, reports, dir } = summary;
    print(opts, { dir, manifest, card, reports }, () =>
      [
        `export ${manifest.export}: ${card.episodes} episodes, ${card.steps} steps → ${dir}`,
        table(
          manifest.files.map((f) => ({ file: f.path, bytes: f.bytes })),
          ['file', 'bytes'],
        ),
        ...reports.flatMap((r) => r.notes.map((n) => `note (${r.format}): ${n}`)),
        `follow deletions: lockstep export revoked --manifest ${dir}/manifest.json`,
      ].join('\n'),
    );
  });

  // `export` itself takes --server, --token and --json, so commander hands them to it even when
  // they follow a subcommand: the subcommands read their options merged with the parent's.
  withServer(exp.command('list').description('Your exports (a steward sees all).')).action(async (_: Opts, cmd: Command) => {
    const opts = cmd.optsWithGlobals<Opts>();
    const { exports: list } = await userClient(opts).get<{ exports: ExportListItem[] }>('/v1/exports');
    print(opts, list, () => table(list.map((e) => ({ ...e })), ['id', 'grant', 'purpose', 'date', 'episodes']));
  });

  withServer(
    exp
      .command('revoked')
      .description('Episodes of your exports deleted or withdrawn since a checkpoint: drop them from your copies. Every answer is verified (signature, inclusion and consistency proofs) before anything is shown.')
      .option('--manifest <file>', "an export's manifest.json: read from where the feed stood at that export, verified with the key pinned then, and list only that export's episodes")
      .option('--since <n>', 'the feed position to read from (the size the last run printed); default 0, or the manifest\'s')
      .option('--previous <file>', 'the signed checkpoint the last run saved (--save): proves the feed was only appended to since')
      .option('--save <file>', 'write the new signed checkpoint here, for --previous next time')
      .option('--key <verifier-key>', "the verifier key to trust (default: the manifest's; else the server's own statement, which proves less)"),
  ).action(async (_: unknown, cmd: Command) => {
    const opts = cmd.optsWithGlobals<Opts & { manifest?: string; since?: string; previous?: string; save?: string; key?: string }>();
    const query: RevocationsQuery = { since: 0 };
    if (opts.manifest) Object.assign(query, await fromManifest(opts.manifest));
    if (opts.since !== undefined) {
      const since = Number(opts.since);
      if (!Number.isInteger(since) || since < 0) throw new Error('--since: a feed position, a whole number ≥ 0');
      query.since = since;
      if (opts.previous === undefined) delete query.previous;
    }
    if (opts.previous) query.previous = await readFile(opts.previous, 'utf8');
    if (opts.key) query.key = opts.key;
    const feed = await readRevocations(userClient(opts), query);
    if (opts.save) await writeFile(opts.save, feed.checkpoint, { mode: 0o644 });
    print(opts, feed, () =>
      [
        `revocation feed ${feed.origin}: ${feed.size} entries; signature and proofs verified${feed.keyPinned ? '' : " with the key the server states (pin it: --manifest or --key)"}${feed.extends !== null ? `; it extends the checkpoint of ${feed.extends} entries` : ''}`,
        feed.entries.length === 0
          ? 'nothing to drop'
          : table(
              feed.entries.map((e) => ({ index: e.index, export: e.export, episode: e.local, reason: e.reason, day: e.day })),
              ['index', 'export', 'episode', 'reason', 'day'],
            ),
        `next time: lockstep export revoked --since ${feed.size}${opts.save ? ` --previous ${opts.save}` : ''}`,
      ].join('\n'),
    );
  });
}
