import { ApiFailure, notFound } from '../http/errors.ts';
import type { Lockstep } from '../lockstep.ts';
import type { ProgramRecord } from '../store/types.ts';
import { DEFAULT_IDLE_GAP_MS, MAX_IDLE_GAP_MS, MIN_IDLE_GAP_MS } from './episodes.ts';
import { newRecordId } from './ids.ts';
import { PURPOSES, type Purpose } from './purposes.ts';

/** Programs: what is collected, why (purposes), for how long, and the consent notice. */

export interface NewProgram {
  name: string;
  purposes: Purpose[];
  modalities: string[];
  retentionDays: number;
  idleGapMs?: number | undefined;
  notice: string;
}

export async function createProgram(lockstep: Lockstep, input: NewProgram, createdBy: string): Promise<ProgramRecord> {
  for (const p of input.purposes) {
    if (!(PURPOSES as readonly string[]).includes(p)) throw new ApiFailure(400, 'invalid_request', `purposes: must be one of ${PURPOSES.join(', ')}`, 'purposes');
  }
  const idleGapMs = input.idleGapMs ?? DEFAULT_IDLE_GAP_MS;
  if (idleGapMs < MIN_IDLE_GAP_MS || idleGapMs > MAX_IDLE_GAP_MS) {
    throw new ApiFailure(400, 'invalid_request', `idleGapMs: must be between ${MIN_IDLE_GAP_MS} and ${MAX_IDLE_GAP_MS}`, 'idleGapMs');
  }
  const now = lockstep.clock();
  const program: ProgramRecord = {
    id: newRecordId('prg'),
    name: input.name,
    purposes: [...new Set(input.purposes)],
    modalities: [...new Set(input.modalities)],
    retentionDays: input.retentionDays,
    idleGapMs,
    notice: { version: 1, text: input.notice, updatedAt: now },
    createdBy,
    createdAt: now,
  };
  await lockstep.store.programs.create(program);
  return program;
}

/** A new notice version: every subject of the program must accept it again before capture resumes. */
export async function updateNotice(lockstep: Lockstep, programId: string, text: string): Promise<ProgramRecord> {
  const program = await lockstep.store.programs.get(programId);
  if (!program) throw notFound('program');
  const notice = { version: program.notice.version + 1, text, updatedAt: lockstep.clock() };
  await lockstep.store.programs.setNotice(programId, notice);
  return { ...program, notice };
}

export async function loadProgram(lockstep: Lockstep, id: string): Promise<ProgramRecord> {
  const program = await lockstep.store.programs.get(id);
  if (!program) throw notFound('program');
  return program;
}
