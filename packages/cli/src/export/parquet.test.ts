import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { CaptureEvent } from '@lockstep/schema';
import { buildTrajectory } from '@lockstep/trajectory';
import type { TrajectoryRecord } from '@lockstep/trajectory';
import { writeStepsParquet, zstdAvailable } from './parquet.ts';

const FIXTURES = new URL('../../../trajectory/fixtures/', import.meta.url);

async function fixtureRecords(): Promise<TrajectoryRecord[]> {
  const suite = JSON.parse(await readFile(new URL('suite.json', FIXTURES), 'utf8')) as { name: string; goal: string }[];
  return Promise.all(
    suite.map(async ({ name, goal }) => {
      const raw = JSON.parse(await readFile(new URL(`${name}.events.json`, FIXTURES), 'utf8')) as unknown[];
      return buildTrajectory(
        raw.map((e) => CaptureEvent.parse(e)),
        { id: `ep-${name}`, subject: 'subject-1', task: goal },
      );
    }),
  );
}

/** The records as a stream, the way an export reads them from the store. */
async function* stream(records: readonly TrajectoryRecord[], failAfter = Infinity): AsyncGenerator<TrajectoryRecord> {
  for (const [i, r] of records.entries()) {
    if (i === failAfter) throw new Error('store read failed');
    await Promise.resolve();
    yield r;
  }
}

let dir: string;
let records: TrajectoryRecord[];
let db: DuckDBInstance;
let sql: DuckDBConnection;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lockstep-parquet-'));
  records = await fixtureRecords();
  db = await DuckDBInstance.create(':memory:');
  sql = await db.connect();
});

afterAll(async () => {
  sql.closeSync();
  db.closeSync();
  await rm(dir, { recursive: true, force: true });
});

const query = async (q: string): Promise<Record<string, unknown>[]> => (await sql.runAndReadAll(q)).getRowObjectsJS();
const quoted = (path: string): string => `'${path.replaceAll("'", "''")}'`;

describe('the Parquet export of step rows', () => {
  it('writes one row per step, with each kind counted as in the records, in ZSTD row groups as they fill', async () => {
    const path = join(dir, 'steps.parquet');
    const rows = await writeStepsParquet(stream(records), path, { rowsPerBatch: 16, rowsPerGroup: 32 });
    const steps = records.reduce((n, r) => n + r.steps.length, 0);
    expect(rows).toBe(steps);

    expect(await query(`select count(*) as n from read_parquet(${quoted(path)})`)).toEqual([{ n: BigInt(steps) }]);
    const expected = new Map<string, number>();
    for (const r of records) for (const s of r.steps) expected.set(s.action.kind, (expected.get(s.action.kind) ?? 0) + 1);
    const kinds = await query(`select kind, count(*) as n from read_parquet(${quoted(path)}) group by kind order by kind`);
    expect(kinds).toEqual([...expected].sort(([a], [b]) => (a < b ? -1 : 1)).map(([kind, n]) => ({ kind, n: BigInt(n) })));

    const groups = await query(`select row_group_id, any_value(row_group_num_rows) as n, any_value(compression) as codec from parquet_metadata(${quoted(path)}) group by row_group_id order by row_group_id`);
    expect(groups.length).toBe(Math.ceil(steps / 32));
    expect(groups.every((g) => g.n === BigInt(32) || g === groups.at(-1))).toBe(true);
    expect(zstdAvailable()).toBe(true);
    expect(new Set(groups.map((g) => g.codec))).toEqual(new Set(['ZSTD']));
  });

  it('keeps the schema: column names, types and nullability read back by DuckDB', async () => {
    const path = join(dir, 'schema.parquet');
    await writeStepsParquet(records, path);
    const columns = await query(`describe select * from read_parquet(${quoted(path)})`);
    const types = Object.fromEntries(columns.map((c) => [c.column_name, c.column_type]));
    expect(columns.map((c) => c.column_name).slice(0, 8)).toEqual(['episode_id', 'subject', 'task', 'platform', 'step', 't', 'duration', 'kind']);
    expect(columns).toHaveLength(45);
    expect(types).toMatchObject({ step: 'INTEGER', t: 'DOUBLE', kind: 'VARCHAR', x: 'DOUBLE', obs_seq: 'INTEGER', obs_settled: 'BOOLEAN', masked: 'BOOLEAN', redactions: 'VARCHAR[]', computer13: 'VARCHAR', pyautogui: 'VARCHAR' });
    const required = await query(`select name from parquet_schema(${quoted(path)}) where repetition_type = 'REQUIRED' and name <> 'item' order by name`);
    expect(required.map((r) => r.name)).toEqual(['duration', 'episode_id', 'kind', 'masked', 'platform', 'redactions', 'step', 'subject', 't']);

    const typed = await query(`select text, masked, target_selector, pyautogui from read_parquet(${quoted(path)}) where episode_id = 'ep-signup-fill' and kind = 'type' order by step`);
    expect(typed).toEqual([
      { text: 'ada_lovelace', masked: false, target_selector: '#username', pyautogui: 'pyautogui.write("ada_lovelace")' },
      { text: null, masked: true, target_selector: '#password', pyautogui: null },
      { text: 'Hello there,\nsee you soon', masked: false, target_selector: '#message', pyautogui: 'pyautogui.write("Hello there,\\nsee you soon")' },
    ]);
  });

  it('writes Snappy when asked, and a valid empty file when there are no steps', async () => {
    const snappy = join(dir, 'snappy.parquet');
    await writeStepsParquet(records.slice(0, 2), snappy, { compression: 'snappy' });
    expect(await query(`select distinct compression from parquet_metadata(${quoted(snappy)})`)).toEqual([{ compression: 'SNAPPY' }]);

    const empty = join(dir, 'empty.parquet');
    expect(await writeStepsParquet([], empty)).toBe(0);
    expect(await query(`select count(*) as n from read_parquet(${quoted(empty)})`)).toEqual([{ n: BigInt(0) }]);
    expect(await query(`describe select * from read_parquet(${quoted(empty)})`)).toHaveLength(45);
  });

  it('leaves no file behind when reading the records fails part-way, and says why', async () => {
    const path = join(dir, 'failed.parquet');
    await expect(writeStepsParquet(stream(records, 5), path, { rowsPerBatch: 8, rowsPerGroup: 8 })).rejects.toThrow('store read failed');
    await expect(writeStepsParquet(stream(records, 0), path)).rejects.toThrow('store read failed');
    expect((await readdir(dir)).filter((f) => f.startsWith('failed'))).toEqual([]);
    await expect(writeStepsParquet(records, path, { rowsPerGroup: 0 })).rejects.toThrow(/positive integer/);
    await expect(writeStepsParquet(stream(records), join(dir, 'missing', 'steps.parquet'))).rejects.toThrow(/ENOENT/);
  });
});
