import { describe, expect, it } from 'vitest';
import suite from '../../fixtures/suite.json' with { type: 'json' };
import { loadRecording } from '../testing.ts';
import { buildTrajectory } from './build.ts';
import type { DatasetCardMeta } from './card.ts';
import { createCard, DatasetCard } from './card.ts';
import type { TrajectoryRecord } from './record.ts';
import { createSiteAliases } from './sites.ts';

const meta: DatasetCardMeta = {
  export: 'exp-2024-07',
  program: 'Support | web apps',
  purpose: 'Train a form-filling agent on how support staff use the CRM.',
  grant: 'grant-17',
  date: '2024-07-01',
  formats: ['jsonl', 'parquet'],
};

async function suiteRecords(): Promise<TrajectoryRecord[]> {
  const sites = createSiteAliases();
  const out: TrajectoryRecord[] = [];
  for (const [i, { name, goal }] of suite.entries()) {
    // Every other task is labelled by its subject.
    out.push(buildTrajectory(await loadRecording(name), { id: `ep-${i + 1}`, subject: `s-${i % 3}`, task: i % 2 === 0 ? goal : null, url: sites.url }));
  }
  return out;
}

function exactMedian(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

describe('createCard', () => {
  it('sums up the recorded task suite', async () => {
    const records = await suiteRecords();
    const card = createCard(meta);
    for (const r of records) card.add(r);
    const json = DatasetCard.parse(card.json());
    const durations = records.map((r) => r.duration);
    expect(json).toMatchObject({
      format: 'lockstep.dataset-card',
      version: 1,
      ...meta,
      trajectory: { format: 'lockstep.trajectory', version: 1 },
      episodes: records.length,
      steps: records.reduce((n, r) => n + r.steps.length, 0),
      events: records.reduce((n, r) => n + r.events, 0),
      tasksLabelled: Math.ceil(records.length / 2),
      platforms: { web: records.length },
      sites: [{ name: 'http://site-1.invalid', episodes: records.length }],
      apps: [],
      redactions: {},
    });
    expect(json.duration.min).toBe(Math.min(...durations));
    expect(json.duration.max).toBe(Math.max(...durations));
    expect(json.duration.total).toBeCloseTo(durations.reduce((a, b) => a + b, 0), 3);
    expect(Math.abs(json.duration.median! - exactMedian(durations)) / exactMedian(durations)).toBeLessThan(0.005);
    const mix = Object.values(json.actions);
    expect(mix.reduce((n, a) => n + a.count, 0)).toBe(json.steps);
    expect(mix.reduce((n, a) => n + a.share, 0)).toBeCloseTo(1, 3);
    expect(json.actions.click!.count).toBe(records.reduce((n, r) => n + (r.counts.click ?? 0), 0));
  });

  it('keeps a median within 0.5% over many episodes without keeping them', () => {
    const card = createCard(meta);
    const durations: number[] = [];
    let x = 12345;
    for (let i = 0; i < 20_001; i++) {
      // A deterministic spread from 0.2 s to about 20 min.
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const d = Math.round(200 + (x / 2 ** 31) ** 3 * 1_200_000);
      durations.push(d);
      card.add({ format: 'lockstep.trajectory', version: 1, id: `e${i}`, subject: 's', task: null, platform: 'desktop', duration: d, apps: ['Editor'], events: 1, counts: {}, redactions: {}, steps: [] });
    }
    const { duration, apps, platforms } = card.json();
    expect(Math.abs(duration.median! - exactMedian(durations)) / exactMedian(durations)).toBeLessThan(0.005);
    expect(apps).toEqual([{ name: 'Editor', episodes: 20_001 }]);
    expect(platforms).toEqual({ desktop: 20_001 });
  });

  it('adds up redactions per kind and lists sites by use', () => {
    const card = createCard(meta);
    const record = (apps: string[], redactions: Record<string, number>): TrajectoryRecord => ({ format: 'lockstep.trajectory', version: 1, id: 'e', subject: 's', task: 'x', platform: 'web', duration: 1000, apps, events: 3, counts: { click: 1 }, redactions, steps: [] });
    card.add(record(['https://site-1.invalid', 'https://site-2.invalid'], { email: 2 }));
    card.add(record(['https://site-2.invalid'], { email: 1, 'card-number': 1 }));
    const json = card.json();
    expect(json.redactions).toEqual({ 'card-number': 1, email: 3 });
    expect(json.sites).toEqual([
      { name: 'https://site-2.invalid', episodes: 2 },
      { name: 'https://site-1.invalid', episodes: 1 },
    ]);
    expect(json.duration).toEqual({ total: 2000, min: 1000, median: 1000, max: 1000 });
  });

  it('describes an empty export', () => {
    const json = DatasetCard.parse(createCard(meta).json());
    expect(json).toMatchObject({ episodes: 0, steps: 0, duration: { total: 0, min: null, median: null, max: null }, actions: {}, platforms: {} });
    expect(createCard(meta).markdown()).toContain('No steps.');
  });

  it('refuses an export description it cannot publish', () => {
    expect(() => createCard({ ...meta, date: '2024-13-01' })).toThrow('dataset card: invalid export description (date: must be a date as YYYY-MM-DD)');
    expect(() => createCard({ ...meta, formats: [] })).toThrow(/formats: /);
  });

  it('renders a readable Markdown card', async () => {
    const card = createCard(meta);
    for (const r of await suiteRecords()) card.add(r);
    card.add({ format: 'lockstep.trajectory', version: 1, id: 'x', subject: 's', task: null, platform: 'web', duration: 1, apps: [], events: 1, counts: {}, redactions: { email: 2 }, steps: [] });
    const text = card.markdown();
    expect(text.startsWith('# Dataset card: exp-2024-07\n')).toBe(true);
    expect(text).toContain('of the program **Support \\| web apps**, made on 2024-07-01 under grant `grant-17`');
    expect(text).toContain('- 15 episodes (7 with the task in the subject\'s own words)');
    expect(text).toMatch(/\| action \| steps \| share \|\n\| --- \| --- \| --- \|\n\| click \| \d+ \| \d+\.\d %/);
    expect(text).toContain('| http://site-1.invalid | 14 |');
    expect(text).toContain('| email | 2 |');
    expect(text).toContain('## De-identification');
    expect(text).toContain('pseudonyms that are stable within this export only');
    expect(text).toContain('site aliases (`site-N.invalid`');
    expect(text).toContain('Page text (page and window titles) is masked');
    expect(text).toContain('Only episodes that their subjects reviewed and released are included.');
    expect(text).toContain('lockstep export revoked --since N');
    expect(text).toMatch(/Episode length: median \d+\.\d s \(shortest 1 ms, longest \d+\.\d s\); 1 min \d+ s in all\./);
  });
});
