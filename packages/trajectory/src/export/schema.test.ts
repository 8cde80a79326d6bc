// The published JSON Schema (schema/trajectory-v1.schema.json) is what tools outside TypeScript
// validate an export with: it must be exactly what the zod schema generates, accept every record
// the builder writes, and reject what the zod schema rejects.
import { describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import committed from '../../schema/trajectory-v1.schema.json' with { type: 'json' };
import suite from '../../fixtures/suite.json' with { type: 'json' };
import { loadRecording } from '../testing.ts';
import { buildTrajectory } from './build.ts';
import { TrajectoryRecord } from './record.ts';
import { trajectoryJsonSchema } from './schema.ts';
import { createSiteAliases } from './sites.ts';

const validate = new Ajv2020({ allErrors: true, strict: true }).compile(committed);

async function fixtureRecords(): Promise<TrajectoryRecord[]> {
  const sites = createSiteAliases();
  const out: TrajectoryRecord[] = [];
  for (const [i, { name, goal }] of suite.entries()) {
    out.push(buildTrajectory(await loadRecording(name), { id: `ep-${i + 1}`, subject: 'subject-1', task: goal, url: sites.url }));
  }
  return out;
}

/** A deep copy to break on purpose. */
const copy = (r: TrajectoryRecord): Record<string, unknown> => JSON.parse(JSON.stringify(r)) as Record<string, unknown>;

describe('trajectory-v1.schema.json', () => {
  it('is what the zod schema generates (run `npx tsx packages/trajectory/schema/generate.ts` after changing the format)', () => {
    expect(committed, 'the committed schema is out of date: regenerate it').toEqual(JSON.parse(JSON.stringify(trajectoryJsonSchema())));
  });

  it('accepts the record of every recorded task', async () => {
    for (const record of await fixtureRecords()) {
      expect(validate(JSON.parse(JSON.stringify(record))), `${record.id}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('rejects broken records, as the zod schema does', async () => {
    const [record] = await fixtureRecords();
    const noSteps = copy(record!);
    delete noSteps.steps;
    const unknownKind = copy(record!);
    (unknownKind.steps as { action: { kind: string } }[])[1]!.action.kind = 'teleport';
    const negativeTime = copy(record!);
    (negativeTime.steps as { action: { t: number } }[])[1]!.action.t = -5;
    const extraField = { ...copy(record!), hostname: 'laptop-17' };
    const badRedactionKind = { ...copy(record!), redactions: { 'Not A Kind': 1 } };
    for (const [what, broken] of Object.entries({ noSteps, unknownKind, negativeTime, extraField, badRedactionKind })) {
      expect(validate(broken), what).toBe(false);
      expect(TrajectoryRecord.safeParse(broken).success, what).toBe(false);
    }
  });
});
