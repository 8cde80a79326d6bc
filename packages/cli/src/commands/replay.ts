import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CaptureEvent } from '@lockstep/schema';
import { buildTrajectory, parseJsonl, type TrajectoryRecord } from '@lockstep/trajectory';
import { formatReplayTable, replayRecord, type ReplayResult } from '../replay/index.ts';
import { type Opts, enc, print, userClient, withServer } from './common.ts';

interface ReplayOpts extends Opts {
  baseUrl?: string;
  site?: string[];
  timeout: string;
}

/** `alias=url` pairs from --site. */
function parseSites(pairs: readonly string[] = []): Record<string, string> {
  const sites: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) throw new Error(`--site "${pair}": write it as RECORDED=LOCAL, for example site-1.invalid=http://127.0.0.1:4173`);
    sites[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return sites;
}

/** The records of an export file (jsonl, or one record as JSON); `FILE#ID` picks one. */
async function fromFile(spec: string): Promise<TrajectoryRecord> {
  const hash = spec.lastIndexOf('#');
  const file = hash > 0 && !existsSync(spec) ? spec.slice(0, hash) : spec;
  const id = file === spec ? undefined : spec.slice(hash + 1);
  const text = await readFile(file, 'utf8');
  const found: TrajectoryRecord[] = [];
  for await (const record of parseJsonl(text)) {
    if (id === undefined || record.id === id) found.push(record);
    if (id !== undefined && found.length) break;
  }
  if (found.length === 0) throw new Error(id === undefined ? `${file} holds no trajectory records` : `${file} has no episode ${id}`);
  if (found.length > 1) throw new Error(`${file} holds ${found.length} episodes; name one as ${file}#ID (for example ${file}#${found[0]!.id})`);
  return found[0]!;
}

/** One of your own episodes, read from the server and compiled here (not de-identified: it is yours). */
async function fromServer(opts: Opts, id: string): Promise<TrajectoryRecord> {
  const res = await userClient(opts).get<{ episode: { id: string; task: string | null }; events: CaptureEvent[]; context?: CaptureEvent[] }>(`/v1/episodes/${enc(id)}`);
  if (res.events.length === 0) throw new Error(`episode ${id} has no events`);
  // An episode that starts in the middle of a page visit starts on that page.
  return buildTrajectory(res.events, { id: res.episode.id, subject: 'you', task: res.episode.task, maskPageText: false, context: res.context ?? [] });
}

export function register(program: Command): void {
  withServer(
    program
      .command('replay')
      .argument('<episode>', 'one of your episodes (epi_…), or an exported episodes.jsonl (FILE#ID to pick one of several)')
      .description('Re-run a web episode in a fresh Chromium from its Playwright script and check that the page ends as recorded (URL and the values of the fields it touched).')
      .option('--base-url <url>', 'where the episode\'s first site is served now (default: where it was recorded)')
      .option('--site <recorded=local...>', 'map a recorded site (site-1.invalid, or host:port) to where it is served now')
      .option('--timeout <seconds>', 'give up after this long', '120')
      .addHelpText('after', '\nExit status: 0 when the final state matches, 1 when it differs or the replay could not finish.'),
  ).action(async (episode: string, opts: ReplayOpts) => {
    const timeoutS = Number(opts.timeout);
    if (!(timeoutS > 0)) throw new Error('--timeout: a number of seconds above 0');
    const record = existsSync(episode) || episode.includes('#') || /\.jsonl?$/.test(episode) ? await fromFile(episode) : await fromServer(opts, episode);
    const result: ReplayResult = await replayRecord(record, {
      ...(opts.baseUrl ? { baseURL: opts.baseUrl } : {}),
      sites: parseSites(opts.site),
      timeoutMs: timeoutS * 1000,
    });
    print(opts, result, () =>
      [
        formatReplayTable([{ name: record.id, result }]),
        ...result.fields.map((f) => `  ${f.ok ? 'ok  ' : 'DIFF'} ${f.selector}`),
        result.ok ? 'the replay reached the recorded final state' : 'the replay did NOT reach the recorded final state',
      ].join('\n'),
    );
    if (!result.ok) process.exitCode = 1;
  });
}
