// Acceptance: each of the 14 recorded tasks (packages/trajectory/fixtures, recorded in Chromium
// through the real recorder) is built into a trajectory record, turned into a Playwright script,
// and replayed from that script in Chromium against the sample apps served locally. At least 95%
// of them — with 14 tasks, all of them — must end in the state the recording ended in.
//
// One browser for the suite, a fresh context per episode: a context has its own cookies,
// storage, cache and history, so episodes cannot see each other (the shop keeps its cart in
// sessionStorage); the `lockstep replay` path launches a fresh browser per record, which
// runner.test.ts covers. Episodes run one after another: the machine has two cores.
import { expect, it } from 'vitest';
import type { ReplayResult } from './runner.ts';
import { formatReplayTable, replayRecord } from './runner.ts';
import { fixtureRecord, suiteTasks, useReplayRig } from './testing.ts';

const rig = useReplayRig();

it('replays at least 95% of the recorded tasks to their recorded final state', async () => {
  const tasks = suiteTasks();
  expect(tasks).toHaveLength(14);
  const rows: Array<{ name: string; result: ReplayResult }> = [];
  for (const task of tasks) {
    const record = fixtureRecord(task);
    // Every episode has something to check: a final URL, and fields where it touched any.
    expect(record.final?.url, task.name).toMatch(/^http:\/\/samples\.test\//);
    rows.push({ name: task.name, result: await replayRecord(record, { browser: rig.browser, baseURL: rig.samples.url }) });
  }
  const passed = rows.filter((r) => r.result.ok).length;
  const table = formatReplayTable(rows);
  expect(passed / rows.length, `${passed}/${rows.length} episodes reached their recorded final state:\n${table}\n`).toBeGreaterThanOrEqual(0.95);
}, 120_000);
