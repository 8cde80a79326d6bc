import { describe, expect, it } from 'vitest';
import { Dictionary, Table, Type, tableFromIPC, tableToIPC } from 'apache-arrow';
import type { RecordBatch } from 'apache-arrow';
import suite from '../../fixtures/suite.json' with { type: 'json' };
import type { Action } from '../actions.ts';
import { loadRecording } from '../testing.ts';
import { toComputer13 } from '../vocab/computer13.ts';
import { buildTrajectory } from './build.ts';
import { actionPyautogui } from './chat.ts';
import { TRAJECTORY_FORMAT, TRAJECTORY_VERSION, TrajectoryRecord } from './record.ts';
import { STEP_SCHEMA, StepBatcher, stepBatches, stepRows } from './rows.ts';
import type { StepRow } from './rows.ts';

async function fixtureRecords(): Promise<TrajectoryRecord[]> {
  return Promise.all(suite.map(async ({ name, goal }) => buildTrajectory(await loadRecording(name), { id: `ep-${name}`, subject: 'subject-1', task: goal })));
}

function episode(actions: Action[]): TrajectoryRecord {
  return TrajectoryRecord.parse({
    format: TRAJECTORY_FORMAT,
    version: TRAJECTORY_VERSION,
    id: 'ep-1',
    subject: 'subject-1',
    task: null,
    platform: 'desktop',
    duration: 1000,
    apps: [],
    events: actions.length,
    counts: {},
    redactions: {},
    steps: actions.map((action, index) => ({ index, action, observation: { kind: 'screenshot', seq: index, t: index * 10, settled: true, id: `shot-${index}` } })),
  });
}

async function collect(batches: AsyncIterable<RecordBatch>): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

describe('the step schema', () => {
  it('has one typed column per row field, kind dictionary-encoded, and only the always-known ones required', () => {
    const type = (name: string) => STEP_SCHEMA.fields.find((f) => f.name === name)!;
    expect(STEP_SCHEMA.fields).toHaveLength(45);
    expect(type('kind').type).toBeInstanceOf(Dictionary);
    expect(type('kind').typeId).toBe(Type.Dictionary);
    expect([type('step').typeId, type('obs_seq').typeId, type('count').typeId]).toEqual([Type.Int, Type.Int, Type.Int]);
    expect([type('t').typeId, type('x').typeId, type('screen_dpr').typeId]).toEqual([Type.Float, Type.Float, Type.Float]);
    expect([type('masked').typeId, type('obs_settled').typeId]).toEqual([Type.Bool, Type.Bool]);
    expect(type('redactions').typeId).toBe(Type.List);
    expect(type('text').typeId).toBe(Type.Utf8);
    expect(STEP_SCHEMA.fields.filter((f) => !f.nullable).map((f) => f.name)).toEqual(['episode_id', 'subject', 'platform', 'step', 't', 'duration', 'kind', 'masked', 'redactions']);
  });
});

describe('step rows', () => {
  it('give one row per step of the recorded suite, with the action’s own columns filled', async () => {
    for (const record of await fixtureRecords()) {
      const rows = stepRows(record);
      expect(rows.map((r) => r.kind)).toEqual(record.steps.map((s) => s.action.kind));
      expect(rows.map((r) => r.step)).toEqual(record.steps.map((s) => s.index));
      for (const [i, row] of rows.entries()) {
        const a = record.steps[i]!.action;
        expect(Object.keys(row)).toEqual(STEP_SCHEMA.fields.map((f) => f.name));
        expect(row).toMatchObject({ episode_id: record.id, subject: 'subject-1', task: record.task, platform: 'web', t: a.t, duration: a.duration });
        expect(row.computer13).toBe(toComputer13(a) === null ? null : JSON.stringify(toComputer13(a)));
        expect(row.pyautogui).toBe(actionPyautogui(a));
        if ('point' in a) expect([row.x, row.y, row.nx, row.ny, row.screen_dpr]).toEqual([a.point.x, a.point.y, a.point.nx, a.point.ny, a.screen.dpr]);
        else expect(row.x).toBeNull();
      }
    }
  });

  it('carry the click’s target, the typed text, the masked field and the hotkey of signup and editor tasks', async () => {
    const records = await fixtureRecords();
    const rows = (name: string): StepRow[] => stepRows(records.find((r) => r.id === `ep-${name}`)!);
    const signup = rows('signup-fill');
    expect(signup.find((r) => r.kind === 'click')).toMatchObject({ button: 'left', target_role: 'textbox', target_name: 'User name', target_selector: '#username', target_tag: 'input', obs_settled: expect.any(Boolean) });
    expect(signup.find((r) => r.kind === 'type')).toMatchObject({ text: 'ada_lovelace', masked: false, redactions: [], obs_url: 'http://samples.test/signup/' });
    expect(signup.find((r) => r.kind === 'type' && r.masked)).toMatchObject({ text: null, target_selector: '#password', computer13: null, pyautogui: null });
    expect(rows('editor-bold-save').filter((r) => r.kind === 'hotkey').map((r) => r.key)).toEqual(['ctrl+b', 'ctrl+s']);
    expect(rows('board-move-card').find((r) => r.kind === 'drag')).toMatchObject({ button: 'left', end_x: expect.any(Number), end_y: expect.any(Number) });
  });

  it('list each redaction kind of typed text once, and refuse numbers an Int32 column cannot hold', () => {
    const typed: Action = {
      seq: { from: 0, to: 3 },
      t: 0,
      duration: 50,
      kind: 'type',
      text: '[email] and [email], [card-number]',
      redactions: [
        { start: 0, end: 7, kind: 'email', family: 'pii' },
        { start: 12, end: 19, kind: 'email', family: 'pii' },
        { start: 21, end: 34, kind: 'card-number', family: 'pii' },
      ],
    };
    const [row] = stepRows(episode([typed]));
    expect(row).toMatchObject({ redactions: ['email', 'card-number'], obs_screenshot: 'shot-0', obs_url: null, platform: 'desktop', screen_width: null });
    const far = episode([typed]);
    far.steps[0]!.observation = { kind: 'screenshot', seq: 2 ** 31, t: 0, settled: true, id: 'x' };
    expect(() => stepRows(far)).toThrow(/obs_seq 2147483648 does not fit/);
  });
});

describe('step batches', () => {
  it('come in batches of the asked size, the last one shorter, holding the rows’ values', async () => {
    const records = await fixtureRecords();
    const rows = records.flatMap((r) => stepRows(r));
    const batches = await collect(stepBatches(records, { rowsPerBatch: 10 }));
    expect(batches.map((b) => b.numRows)).toEqual([...Array(Math.floor(rows.length / 10)).fill(10), ...(rows.length % 10 ? [rows.length % 10] : [])]);
    const table = new Table(batches);
    expect(table.schema.fields.map((f) => f.name)).toEqual(STEP_SCHEMA.fields.map((f) => f.name));
    const back = table.toArray().map((r) => r.toJSON());
    for (const [i, row] of rows.entries()) {
      const got = back[i]!;
      for (const name of Object.keys(row) as (keyof StepRow)[]) {
        const value = got[name];
        expect(name === 'redactions' ? [...(value as Iterable<string>)] : (value ?? null), `row ${i} ${name}`).toEqual(row[name]);
      }
    }
  });

  it('hold any text (non-ASCII, long, more list items than rows) and refuse a row a column cannot hold', () => {
    const long = 'ü'.repeat(100_000);
    const [template] = stepRows(episode([{ seq: { from: 0, to: 0 }, t: 0, duration: 0, kind: 'type', text: 'x' }]));
    const rows: StepRow[] = [
      { ...template!, text: 'Grüße — 東京 😀', redactions: Array.from({ length: 5 }, (_, i) => `kind-${i}`) },
      { ...template!, text: long, redactions: [] },
      { ...template!, text: null, redactions: ['email'] },
    ];
    const batcher = new StepBatcher(4);
    expect(batcher.push(rows[0]!)).toBeUndefined();
    // A row a column cannot hold is refused whole: the batch keeps only the rows before and after it.
    expect(() => batcher.push({ ...template!, text: 'lost', x: '12' } as unknown as StepRow)).toThrow('step rows: x cannot hold "12"');
    for (const row of rows.slice(1)) expect(batcher.push(row)).toBeUndefined();
    const batch = batcher.flush();
    expect(batch.getChild('text')!.toArray()).toEqual(['Grüße — 東京 😀', long, null]);
    expect(batch.getChild('redactions')!.toArray().map((l: Iterable<string>) => [...l])).toEqual([['kind-0', 'kind-1', 'kind-2', 'kind-3', 'kind-4'], [], ['email']]);
  });

  it('survive Arrow IPC with their shared kind dictionary', async () => {
    const batches = await collect(stepBatches(await fixtureRecords(), { rowsPerBatch: 16 }));
    const table = tableFromIPC(tableToIPC(new Table(batches), 'stream'));
    expect(table.numRows).toBe(batches.reduce((n, b) => n + b.numRows, 0));
    const kinds = table.getChild('kind')!.toArray() as string[];
    expect(new Set(kinds)).toEqual(new Set(batches.flatMap((b) => b.getChild('kind')!.toArray() as string[])));
  });

  it('give one empty batch with the schema when there are no steps, and reject a bad batch size', async () => {
    const batches = await collect(stepBatches([]));
    expect(batches).toHaveLength(1);
    expect(batches[0]!.numRows).toBe(0);
    expect(batches[0]!.schema.fields.map((f) => [f.name, String(f.type)])).toEqual(STEP_SCHEMA.fields.map((f) => [f.name, String(f.type)]));
    expect(() => new StepBatcher(0)).toThrow(/positive integer/);
  });

  it('are filled by a batcher that hands a batch over when it is full and keeps the rest', () => {
    const batcher = new StepBatcher(2);
    const [row] = stepRows(episode([{ seq: { from: 0, to: 0 }, t: 0, duration: 3000, kind: 'wait' }]));
    expect(batcher.push(row!)).toBeUndefined();
    expect(batcher.pending).toBe(1);
    expect(batcher.push(row!)?.numRows).toBe(2);
    expect(batcher.pending).toBe(0);
    expect(batcher.push(row!)).toBeUndefined();
    const last = batcher.flush();
    expect(last.numRows).toBe(1);
    expect(last.getChild('pyautogui')!.get(0)).toBe('time.sleep(3)');
  });
});
