import { ApiFailure, notFound } from '../http/errors.ts';
import type { Lockstep } from '../lockstep.ts';
import type { DatasetRecord } from '../store/types.ts';
import { newRecordId } from './ids.ts';
import { loadProgram } from './programs.ts';

/**
 * Datasets: a named selection of released episodes of one program, fixed at creation. Building
 * one reveals nothing about unreleased episodes: an explicit list naming anything that is not a
 * released episode of the program (unknown, unreleased, deleted, another program's) is refused
 * with the same answer.
 */
export async function createDataset(
  lockstep: Lockstep,
  input: { programId: string; name: string; episodes?: string[] | undefined },
  createdBy: string,
): Promise<{ dataset: DatasetRecord; episodes: string[] }> {
  await loadProgram(lockstep, input.programId);
  const now = lockstep.clock();
  let episodes: string[];
  if (input.episodes) {
    episodes = [...new Set(input.episodes)];
    for (const [i, id] of episodes.entries()) {
      const e = await lockstep.store.episodes.get(id);
      if (!e || e.status !== 'released' || e.programId !== input.programId) {
        throw new ApiFailure(400, 'not-released', `episodes[${i}] is not a released episode of this program`, `episodes[${i}]`);
      }
    }
  } else {
    episodes = (await lockstep.store.episodes.releasedIn(input.programId, now)).map((e) => e.id);
  }
  const dataset: DatasetRecord = { id: newRecordId('dst'), programId: input.programId, name: input.name, createdBy, createdAt: now };
  await lockstep.store.datasets.create(dataset, episodes);
  return { dataset, episodes };
}

export async function loadDataset(lockstep: Lockstep, id: string): Promise<DatasetRecord> {
  const dataset = await lockstep.store.datasets.get(id);
  if (!dataset) throw notFound('dataset');
  return dataset;
}
