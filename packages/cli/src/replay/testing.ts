// Test helpers: the recorded task suite (packages/trajectory/fixtures) as trajectory records,
// built the way an export builds them.
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from '@lockstep/capture-web';
import type { CaptureEvent } from '@lockstep/schema';
import { buildTrajectory } from '@lockstep/trajectory';
import type { BuildOptions, TrajectoryRecord } from '@lockstep/trajectory';

import { serveSamples } from '../../../../samples/serve.ts';

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

/**
 * One Chromium and the sample apps for a test file, started before its tests and closed after:
 * `rig.browser`, `rig.samples.url` (valid inside tests).
 */
export function useReplayRig(): { readonly browser: Browser; readonly samples: Awaited<ReturnType<typeof serveSamples>> } {
  let browser: Browser | undefined;
  let samples: Awaited<ReturnType<typeof serveSamples>> | undefined;
  beforeAll(async () => {
    [browser, samples] = await Promise.all([launchChromium(), serveSamples()]);
  });
  afterAll(async () => {
    await Promise.all([browser?.close(), samples?.close()]);
  });
  return {
    get browser() {
      if (!browser) throw new Error('the replay rig is used outside a test');
      return browser;
    },
    get samples() {
      if (!samples) throw new Error('the replay rig is used outside a test');
      return samples;
    },
  };
}
