import { describe, expect, it } from 'vitest';
import { loadRecording } from '../testing.ts';
import { buildTrajectory } from './build.ts';
import { parseJsonl, toJsonlLine, TrajectoryRecordError } from './jsonl.ts';
import type { TrajectoryRecord } from './record.ts';

async function records(): Promise<TrajectoryRecord[]> {
  return [
    buildTrajectory(await loadRecording('signup-fill'), { id: 'ep-1', subject: 's-1', task: 'Sign up' }),
    buildTrajectory(await loadRecording('editor-code'), { id: 'ep-2', subject: 's-2', task: null }),
  ];
}

async function collect(source: Parameters<typeof parseJsonl>[0]): Promise<TrajectoryRecord[]> {
  const out: TrajectoryRecord[] = [];
  for await (const r of parseJsonl(source)) out.push(r);
  return out;
}

/** A record that breaks the schema at `steps[1].action.kind`. */
const broken = (r: TrajectoryRecord): unknown => ({ ...r, steps: r.steps.map((s, i) => (i === 1 ? { ...s, action: { ...s.action, kind: 'teleport' } } : s)) });

describe('toJsonlLine', () => {
  it('writes one line per record, newlines in values escaped', async () => {
    const [record] = await records();
    const line = toJsonlLine(record!);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(JSON.parse(line)).toEqual(record);
  });

  it('refuses an invalid record, naming its id and where it is wrong', async () => {
    const [record] = await records();
    const bad = broken(record!) as TrajectoryRecord;
    expect(() => toJsonlLine(bad)).toThrow(TrajectoryRecordError);
    expect(() => toJsonlLine(bad)).toThrow(/^trajectory record "ep-1" is invalid:\n {2}steps\[1\]\.action\.kind: /);
    const noId = { ...record!, id: undefined, duration: -1 } as unknown as TrajectoryRecord;
    try {
      toJsonlLine(noId);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TrajectoryRecordError);
      const err = e as TrajectoryRecordError;
      expect(err.id).toBeUndefined();
      expect(err.issues.map((i) => i.path).sort()).toEqual(['duration', 'id']);
      expect(err.message).toMatch(/^trajectory record without an id is invalid:/);
    }
  });

  it('lists the first problems and says how many more there are', async () => {
    const [record] = await records();
    const bad = { ...record!, steps: record!.steps.map((s) => ({ ...s, index: -1 })) } as TrajectoryRecord;
    expect(() => toJsonlLine(bad)).toThrow(/steps\[4\]\.index: .*\n {2}… and 4 more$/);
  });
});

describe('parseJsonl', () => {
  it('reads back what toJsonlLine wrote, from a string, chunks of any size, or an async stream', async () => {
    const rs = await records();
    const text = rs.map(toJsonlLine).join('');
    expect(await collect(text)).toEqual(rs);
    const chunks = text.match(/[^]{1,7}/g)!;
    expect(await collect(chunks)).toEqual(rs);
    expect(
      await collect(
        (async function* () {
          yield* chunks;
        })(),
      ),
    ).toEqual(rs);
  });

  it('accepts a byte order mark, CRLF line ends, blank lines and a last line without a line end', async () => {
    const rs = await records();
    const text = `\uFEFF${JSON.stringify(rs[0])}\r\n\r\n${JSON.stringify(rs[1])}`;
    expect(await collect(text)).toEqual(rs);
    expect(await collect('')).toEqual([]);
  });

  it('names the line that is not JSON or not a valid record', async () => {
    const rs = await records();
    await expect(collect(`${toJsonlLine(rs[0]!)}{"format": "lockstep.trajectory",\n`)).rejects.toThrow(/^line 2: not valid JSON \(/);
    await expect(collect(`${toJsonlLine(rs[0]!)}\n${JSON.stringify(broken(rs[1]!))}\n`)).rejects.toThrow(/^line 3: trajectory record "ep-2" is invalid:\n {2}steps\[1\]\.action\.kind: /);
  });

  it('yields each record as soon as its line is complete', async () => {
    const rs = await records();
    const it = parseJsonl(
      (async function* () {
        yield toJsonlLine(rs[0]!);
        throw new Error('the stream broke after the first line');
      })(),
    );
    expect((await it.next()).value).toEqual(rs[0]);
    await expect(it.next()).rejects.toThrow('the stream broke after the first line');
  });
});
