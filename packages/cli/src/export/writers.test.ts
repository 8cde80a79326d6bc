import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaptureEvent } from '@lockstep/schema';
import { buildTrajectory } from '@lockstep/trajectory';
import type { TrajectoryRecord } from '@lockstep/trajectory';
import { createWriters, describeFiles } from './writers.ts';

const FIXTURES = new URL('../../../trajectory/fixtures/', import.meta.url);

async function fixtureRecord(id: string): Promise<TrajectoryRecord> {
  const [{ name, goal }] = JSON.parse(await readFile(new URL('suite.json', FIXTURES), 'utf8')) as [{ name: string; goal: string }];
  const raw = JSON.parse(await readFile(new URL(`${name}.events.json`, FIXTURES), 'utf8')) as unknown[];
  return buildTrajectory(
    raw.map((e) => CaptureEvent.parse(e)),
    { id, subject: 'subject-1', task: goal },
  );
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lockstep-writers-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('export writers', () => {
  it('keep nothing per full buffer: a long export adds no listeners to its files', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      const record = await fixtureRecord('ep_a');
      const [w] = createWriters(dir, ['chat'], ['anthropic']);
      // Each record is several KiB of chats: the 16 KiB buffer fills (and drains) many times.
      for (let i = 0; i < 200; i++) await w!.add(record);
      await w!.finish();
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((x) => x.name === 'MaxListenersExceededWarning')).toEqual([]);
      expect((await readFile(join(dir, 'chat-anthropic.jsonl'), 'utf8')).split('\n').length - 1).toBe(w!.report().items);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('playwright: counts the scripts and returns their folder; describeFiles lists it in id order', async () => {
    const [w] = createWriters(dir, ['playwright'], []);
    for (const id of ['ep_c', 'ep_a', 'ep_b']) await w!.add(await fixtureRecord(id));
    const paths = await w!.finish();
    expect(paths).toEqual([join(dir, 'playwright')]);
    expect(w!.report().items).toBe(3);
    const files = [];
    for await (const f of describeFiles(dir, paths)) files.push(f);
    expect(files.map((f) => f.path)).toEqual(['playwright/ep_a.mjs', 'playwright/ep_b.mjs', 'playwright/ep_c.mjs']);
    for (const f of files) expect(f.bytes).toBe((await readFile(join(dir, f.path))).length);
  });

  it('playwright: no web episodes, no folder and no files', async () => {
    const [w] = createWriters(dir, ['playwright'], []);
    expect(await w!.finish()).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });
});
