// The dataset card of an export: what it holds (episodes, steps, action mix, sites, redactions),
// why and under which grant it was made, and how it was de-identified — as JSON for tools and as
// Markdown for people. Records are added one at a time while the export is written; the card
// keeps counters only, so its memory does not grow with the number of episodes (the median
// duration comes from a histogram, see DurationHistogram).
import { z } from 'zod';
import { RedactionKind } from '@lockstep/schema';
import { ACTION_KINDS } from '../actions.ts';
import type { ActionKind } from '../actions.ts';
import { TRAJECTORY_FORMAT, TRAJECTORY_VERSION } from './record.ts';
import type { TrajectoryRecord } from './record.ts';

export const DATASET_CARD_FORMAT = 'lockstep.dataset-card' as const;
export const DATASET_CARD_VERSION = 1 as const;

const count = z.number().int().nonnegative();
const ms = z.number().finite().nonnegative();

/** What the caller says about the export; the rest of the card comes from the records. */
export const DatasetCardMeta = z
  .object({
    /** The export's id (the manifest and the revocation feed use it). */
    export: z.string().min(1).max(128),
    /** The program the episodes were recorded under. */
    program: z.string().min(1).max(256),
    /** The grant's purpose, in the words the steward approved. */
    purpose: z.string().min(1).max(4000),
    /** The grant the export was made under. */
    grant: z.string().min(1).max(128),
    /** The day of the export. */
    date: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be a date as YYYY-MM-DD'),
    /** The files written (`jsonl`, `parquet`, `chat`, `playwright`…). */
    formats: z.array(z.string().min(1).max(64)).min(1).max(32),
  })
  .strict();
export type DatasetCardMeta = z.infer<typeof DatasetCardMeta>;

const perSite = z.object({ name: z.string().max(2048), episodes: count }).strict();

export const DatasetCard = z
  .object({
    format: z.literal(DATASET_CARD_FORMAT),
    version: z.literal(DATASET_CARD_VERSION),
    ...DatasetCardMeta.shape,
    /** The record format of the episodes. */
    trajectory: z.object({ format: z.literal(TRAJECTORY_FORMAT), version: z.literal(TRAJECTORY_VERSION) }).strict(),
    episodes: count,
    steps: count,
    /** Raw events the episodes were compiled from. */
    events: count,
    /** Episodes whose subject gave the task in their own words. */
    tasksLabelled: count,
    /**
     * Episode durations in ms. `median` is read from a histogram with buckets 1% wide, so it
     * is within 0.5% of the exact median; the others are exact. Null when there are no episodes.
     */
    duration: z.object({ total: ms, min: ms.nullable(), median: ms.nullable(), max: ms.nullable() }).strict(),
    platforms: z.partialRecord(z.enum(['web', 'desktop']), z.number().int().positive()),
    /** Web episodes: the sites (origins, aliased unless kept) and in how many episodes each was used; most used first. */
    sites: z.array(perSite),
    /** Desktop episodes: the applications, likewise. */
    apps: z.array(perSite),
    /** Steps per action kind, and their share of all steps. */
    actions: z.partialRecord(z.enum(ACTION_KINDS), z.object({ count: z.number().int().positive(), share: z.number().min(0).max(1) }).strict()),
    /** Masked spans per kind, over all episodes. */
    redactions: z.partialRecord(RedactionKind, z.number().int().positive()),
  })
  .strict();
export type DatasetCard = z.infer<typeof DatasetCard>;

export interface CardBuilder {
  /** Counts one episode in. Add each record once, as it is written. */
  add(record: TrajectoryRecord): void;
  json(): DatasetCard;
  markdown(): string;
}

/** Width of a duration bucket: each is 1% wider than the one before. */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);

/**
 * Counts of durations in buckets of geometrically growing width: bucket 0 holds [0, 1) ms,
 * bucket k ≥ 1 holds [1.01^(k-1), 1.01^k) ms. A day is bucket 1,838, so the histogram stays small
 * whatever the number of episodes; a value read back is off by at most half a bucket (0.5%).
 */
class DurationHistogram {
  private readonly buckets = new Map<number, number>();
  private n = 0;

  add(value: number): void {
    const k = value < 1 ? 0 : 1 + Math.floor(Math.log(value) / LOG_GROWTH);
    this.buckets.set(k, (this.buckets.get(k) ?? 0) + 1);
    this.n++;
  }

  /** The bucket's middle (geometric), standing for every value in it. */
  private static middle(k: number): number {
    return k === 0 ? 0.5 : GROWTH ** (k - 0.5);
  }

  /** The value of rank `rank` (1-based) in sorted order, as its bucket's middle. */
  private at(rank: number, sorted: readonly number[]): number {
    let seen = 0;
    for (const k of sorted) {
      seen += this.buckets.get(k)!;
      if (seen >= rank) return DurationHistogram.middle(k);
    }
    throw new Error(`rank ${rank} is beyond the ${this.n} values counted`);
  }

  median(): number | null {
    if (this.n === 0) return null;
    const sorted = [...this.buckets.keys()].sort((a, b) => a - b);
    return (this.at(Math.floor((this.n + 1) / 2), sorted) + this.at(Math.floor(this.n / 2) + 1, sorted)) / 2;
  }
}

const byCount = (counts: ReadonlyMap<string, number>): { name: string; episodes: number }[] =>
  [...counts].map(([name, episodes]) => ({ name, episodes })).sort((a, b) => b.episodes - a.episodes || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

const sortedEntries = <V>(m: ReadonlyMap<string, V>): [string, V][] => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** A dataset card that grows as records are added; `meta` is checked at once. */
export function createCard(meta: DatasetCardMeta): CardBuilder {
  const checked = DatasetCardMeta.safeParse(meta);
  if (!checked.success) {
    const problems = checked.error.issues.map((i) => `${i.path.join('.') || '(meta)'}: ${i.message}`).join('; ');
    throw new Error(`dataset card: invalid export description (${problems})`);
  }
  const m = checked.data;
  let episodes = 0;
  let steps = 0;
  let events = 0;
  let labelled = 0;
  let total = 0;
  let min: number | null = null;
  let max: number | null = null;
  const durations = new DurationHistogram();
  const platforms = new Map<'web' | 'desktop', number>();
  const sites = new Map<string, number>();
  const apps = new Map<string, number>();
  const actions = new Map<ActionKind, number>();
  const redactions = new Map<string, number>();
  const bump = <K>(map: Map<K, number>, key: K, n = 1): void => {
    map.set(key, (map.get(key) ?? 0) + n);
  };

  const json = (): DatasetCard => {
    const mix: DatasetCard['actions'] = {};
    for (const kind of ACTION_KINDS) {
      const n = actions.get(kind);
      if (n) mix[kind] = { count: n, share: Math.round((n / steps) * 10_000) / 10_000 };
    }
    const median = durations.median();
    // A bucket's middle can lie just outside the exact extremes: keep the median between them.
    const mid = median === null || min === null || max === null ? null : round(Math.min(max, Math.max(min, median)));
    return {
      format: DATASET_CARD_FORMAT,
      version: DATASET_CARD_VERSION,
      ...m,
      formats: [...m.formats],
      trajectory: { format: TRAJECTORY_FORMAT, version: TRAJECTORY_VERSION },
      episodes,
      steps,
      events,
      tasksLabelled: labelled,
      duration: { total: round(total), min, median: mid, max },
      platforms: Object.fromEntries(sortedEntries(platforms)),
      sites: byCount(sites),
      apps: byCount(apps),
      actions: mix,
      redactions: Object.fromEntries(sortedEntries(redactions)),
    };
  };

  return {
    add(record) {
      episodes++;
      steps += record.steps.length;
      events += record.events;
      if (record.task !== null) labelled++;
      total += record.duration;
      min = min === null ? record.duration : Math.min(min, record.duration);
      max = max === null ? record.duration : Math.max(max, record.duration);
      durations.add(record.duration);
      bump(platforms, record.platform);
      for (const app of new Set(record.apps)) bump(record.platform === 'web' ? sites : apps, app);
      for (const kind of ACTION_KINDS) {
        const n = record.counts[kind];
        if (n) bump(actions, kind, n);
      }
      for (const [kind, n] of Object.entries(record.redactions)) if (n) bump(redactions, kind, n);
    },
    json,
    markdown: () => renderCard(json()),
  };
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

/** Text for Markdown: one line, with the characters that would format or break a table escaped. */
const md = (s: string): string => s.replace(/\s+/g, ' ').replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`);

/** `850 ms`, `4.4 s`, `2 min 5 s`, `3 h 12 min`. */
function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(Math.round(ms / 100) / 10).toString()} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  const min = Math.round(s / 60);
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}

const percent = (share: number): string => `${(Math.round(share * 1000) / 10).toFixed(1)} %`;

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function renderCard(c: DatasetCard): string {
  const out: string[] = [];
  out.push(`# Dataset card: ${md(c.export)}`, '');
  out.push(`Export \`${c.export.replace(/`/g, "'")}\` of the program **${md(c.program)}**, made on ${c.date} under grant \`${c.grant.replace(/`/g, "'")}\`.`, '');
  out.push(`**Purpose.** ${md(c.purpose)}`, '');

  out.push('## What it contains', '');
  const tasks = c.tasksLabelled === c.episodes ? 'all with' : `${c.tasksLabelled} with`;
  out.push(`- ${c.episodes} episodes (${tasks} the task in the subject's own words), ${c.steps} steps, compiled from ${c.events} recorded events.`);
  const platforms = Object.entries(c.platforms).map(([p, n]) => `${p} ${n}`);
  if (platforms.length > 0) out.push(`- Platforms: ${platforms.join(', ')}.`);
  const d = c.duration;
  if (d.median !== null && d.min !== null && d.max !== null) {
    out.push(`- Episode length: median ${formatDuration(d.median)} (shortest ${formatDuration(d.min)}, longest ${formatDuration(d.max)}); ${formatDuration(d.total)} in all.`);
  }
  out.push(`- Files: ${c.formats.map((f) => `\`${f.replace(/`/g, "'")}\``).join(', ')}. Each episode is a \`${c.trajectory.format}\` record, version ${c.trajectory.version} (JSON Schema: \`trajectory-v${c.trajectory.version}.schema.json\`).`);
  out.push('- Each step is the last settled observation before an action, and the action (click, type, drag, hotkey, scroll, navigate, …) with its target element and coordinates. Navigations caused by an action are not steps of their own.', '');

  out.push('## Action mix', '');
  const mix = Object.entries(c.actions).sort(([, a], [, b]) => b.count - a.count);
  if (mix.length === 0) out.push('No steps.');
  else out.push(...table(['action', 'steps', 'share'], mix.map(([kind, { count: n, share }]) => [kind, String(n), percent(share)])));
  out.push('');

  const places = (title: string, what: string, list: DatasetCard['sites']): void => {
    if (list.length === 0) return;
    out.push(`## ${title}`, '');
    out.push(...table([what, 'episodes'], list.map((s) => [md(s.name), String(s.episodes)])), '');
  };
  places('Sites', 'site', c.sites);
  places('Applications', 'application', c.apps);

  out.push('## Redactions', '');
  const red = Object.entries(c.redactions);
  if (red.length === 0) out.push('No text was masked as a secret or personal data in these episodes.');
  else {
    out.push('Spans of typed text masked as secrets or personal data, on the device or by the server\'s second check:', '');
    out.push(...table(['kind', 'spans'], red.map(([kind, n]) => [md(kind), String(n)])));
  }
  out.push('');

  out.push('## De-identification', '');
  out.push(
    '- Only episodes that their subjects reviewed and released are included.',
    '- Subjects appear under pseudonyms that are stable within this export only: the same person has another pseudonym in any other export.',
    '- Times are offsets from the start of each episode; no clock time is given. Event numbers are likewise counted from the episode start.',
    '- Host names are replaced by site aliases (`site-N.invalid`, numbered within this export) unless the program lets a site\'s name through; IP addresses, user names and passwords in URLs, and local file or data URLs never appear.',
    '- Page text (page and window titles) is masked to its shape (`Xxxx xx 99`) unless the program allows page text. Secrets and personal data in typed text were masked on the device before upload; password fields and other masked fields were never read.',
    '- No device, account, host or network names are included.',
    '',
  );

  out.push('## Revocation', '');
  out.push(
    'A subject may withdraw consent or delete an episode after this export. Such episodes are listed in the signed revocation feed by export and episode id; whoever holds a copy must delete them. Check the feed regularly:',
    '',
    '```sh',
    'lockstep export revoked --since N',
    '```',
    '',
    'where N is the last feed position you processed.',
  );
  return `${out.join('\n')}\n`;
}
