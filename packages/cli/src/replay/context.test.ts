// Acceptance: an episode cut in the middle of a page visit (at an idle gap or a pause, after its
// page was loaded) replays when it is built with its page context. Each recorded task is cut
// right after its first page load, as if the person had paused there, and the rest is built into
// a record with that load (and the viewport) as its context, the way an export builds a released
// episode, then replayed in Chromium against the sample apps like the suite (suite.test.ts).
import { expect, it } from 'vitest';
import { buildTrajectory } from '@lockstep/trajectory';
import type { ReplayResult } from './runner.ts';
import { formatReplayTable, replayRecord } from './runner.ts';
import { fixtureEvents, fixtureRecord, suiteTasks, useReplayRig } from './testing.ts';

const rig = useReplayRig();

it('replays the recorded tasks cut after their first page load, from the page context alone', async () => {
  const rows: Array<{ name: string; result: ReplayResult }> = [];
  for (const task of suiteTasks()) {
    const events = fixtureEvents(task.name);
    const full = fixtureRecord(task);
    expect(full.steps[0]!.action.kind, task.name).toBe('navigate');
    const cut = full.steps[1]!.action.seq.from;
    const record = buildTrajectory(
      events.filter((e) => e.seq >= cut),
      { id: task.name, subject: 'subject-1', task: task.goal, maskPageText: false, context: events.filter((e) => e.seq < cut) },
    );
    // Mid-page: its first step loads no page but has one to start from.
    expect(record.steps[0]!.action.kind === 'navigate' && record.steps[0]!.action.cause !== 'action', task.name).toBe(false);
    expect(record.steps[0]!.observation?.kind, task.name).toBe('page');
    rows.push({ name: task.name, result: await replayRecord(record, { browser: rig.browser, baseURL: rig.samples.url }) });
  }
  const passed = rows.filter((r) => r.result.ok).length;
  expect(passed / rows.length, `${passed}/${rows.length} episodes reached their recorded final state:\n${formatReplayTable(rows)}\n`).toBeGreaterThanOrEqual(0.95);
}, 180_000);
