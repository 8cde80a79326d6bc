// Test helpers: the recorded task suite (packages/trajectory/fixtures) as trajectory records,
// built the way an export builds them.
import { readFileSync } from 'node:fs';
import type { CaptureEvent } from '@lockstep/schema';
import { buildTrajectory } from '@lockstep/trajectory';
import type { BuildOptions, TrajectoryRecord } from '@lockstep/trajectory';

const FIXTURES = new URL('../../../trajectory/fixtures/', import.meta.url);

export interface SuiteTask {
  name: string;
  goal: string;
  start: string;
}

/** The 14 recorded tasks, in suite order. */
export function suiteTasks(): SuiteTask[] {
  return JSON.parse(readFileSync(new URL('suite.json', FIXTURES), 'utf8')) as SuiteTask[];
}

export function fixtureEvents(name: string): CaptureEvent[] {
  return JSON.parse(readFileSync(new URL(`${name}.events.json`, FIXTURES), 'utf8')) as CaptureEvent[];
}

/** One task's recording as a trajectory record (origin `http://samples.test` unless `url` rewrites it). */
export function fixtureRecord(task: SuiteTask, options: Partial<BuildOptions> = {}): TrajectoryRecord {
  return buildTrajectory(fixtureEvents(task.name), { id: task.name, subject: 'subject-1', task: task.goal, maskPageText: false, ...options });
}
