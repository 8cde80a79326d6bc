// The published JSON Schema of one `jsonl` line, derived from the zod schema so that the two
// cannot disagree. packages/trajectory/schema/trajectory-v1.schema.json is this function's output,
// written by schema/generate.ts and checked by schema.test.ts.
import { z } from 'zod';
import { Redaction, Target } from '@lockstep/schema';
import { Action, Observation, Point, Screen, SeqRange } from '../actions.ts';
import { FinalField, FinalState, Step, TRAJECTORY_VERSION, TrajectoryRecord } from './record.ts';

/** The schema's `$id`: a name, not an address (nothing is fetched from it). */
export const TRAJECTORY_SCHEMA_ID = `urn:lockstep:trajectory:v${TRAJECTORY_VERSION}`;

/** JSON Schema (draft 2020-12) of a trajectory record, with the shared parts under `$defs`. */
export function trajectoryJsonSchema(): Record<string, unknown> {
  // Parts used in more than one place get a name, so the schema reads like the types.
  const names = z.registry<{ id: string }>();
  for (const [schema, id] of [
    [Step, 'Step'],
    [Observation, 'Observation'],
    [Action, 'Action'],
    [SeqRange, 'SeqRange'],
    [Point, 'Point'],
    [Screen, 'Screen'],
    [Target, 'Target'],
    [Redaction, 'Redaction'],
    [FinalState, 'FinalState'],
    [FinalField, 'FinalField'],
  ] as const) {
    names.add(schema, { id });
  }
  const { $schema, ...body } = z.toJSONSchema(TrajectoryRecord, { target: 'draft-2020-12', io: 'output', unrepresentable: 'throw', metadata: names });
  return {
    $schema,
    $id: TRAJECTORY_SCHEMA_ID,
    title: 'Lockstep trajectory record, version 1',
    description: 'One line of the jsonl export: one de-identified episode as training data (see packages/trajectory/README.md, "Exports").',
    ...body,
  };
}
