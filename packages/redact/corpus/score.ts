// Scoring a detector's findings against the labelled corpus (used by src/corpus.test.ts and bench/redact.ts).
//
// Definitions:
// - an expected finding is FOUND when one reported finding of the same family covers all of it
//   (reported.start <= expected.start and reported.end >= expected.end): a masked superset hides
//   it, a partial or wrong-family match does not count;
// - recall of a kind = found / expected, over every case;
// - a DECOY line is FLAGGED when anything at all is reported on it; decoy rate = flagged / decoys;
// - a reported finding is a FALSE POSITIVE when it overlaps no expected finding of its family
//   (on any line); precision = (reported - false positives) / reported.
import type { Family, Finding } from '../src/types.ts';
import type { CorpusCase } from './generate.ts';

export interface KindScore {
  expected: number;
  found: number;
  recall: number;
}

export interface Score {
  byKind: Record<string, KindScore>;
  byFamily: Record<Family, KindScore>;
  decoys: { lines: number; flagged: number; rate: number; examples: string[] };
  reported: number;
  falsePositives: number;
  precision: number;
  missed: { id: string; kind: string; text: string }[];
}

export function covers(f: Finding, e: Finding): boolean {
  return f.family === e.family && f.start <= e.start && f.end >= e.end;
}

export function score(cases: readonly CorpusCase[], find: (text: string) => readonly Finding[], maxExamples = 20): Score {
  const byKind: Record<string, KindScore> = {};
  const byFamily: Record<Family, KindScore> = { secret: { expected: 0, found: 0, recall: 0 }, pii: { expected: 0, found: 0, recall: 0 } };
  const decoys = { lines: 0, flagged: 0, rate: 0, examples: [] as string[] };
  const missed: Score['missed'] = [];
  let reported = 0;
  let falsePositives = 0;
  for (const c of cases) {
    const got = find(c.text);
    reported += got.length;
    for (const f of got) {
      if (!c.findings.some((e) => e.family === f.family && f.start < e.end && e.start < f.end)) falsePositives++;
    }
    if (c.category.startsWith('decoy:')) {
      decoys.lines++;
      if (got.length > 0) {
        decoys.flagged++;
        if (decoys.examples.length < maxExamples) decoys.examples.push(`${c.id} ${got.map((f) => `${f.kind}:${JSON.stringify(c.text.slice(f.start, f.end))}`).join(' ')} in ${JSON.stringify(c.text)}`);
      }
    }
    for (const e of c.findings) {
      const k = (byKind[e.kind] ??= { expected: 0, found: 0, recall: 0 });
      const fam = byFamily[e.family];
      k.expected++;
      fam.expected++;
      if (got.some((f) => covers(f, e))) {
        k.found++;
        fam.found++;
      } else if (missed.length < 10_000) missed.push({ id: c.id, kind: e.kind, text: c.text });
    }
  }
  for (const s of [...Object.values(byKind), ...Object.values(byFamily)]) s.recall = s.expected ? s.found / s.expected : 1;
  decoys.rate = decoys.lines ? decoys.flagged / decoys.lines : 0;
  return { byKind, byFamily, decoys, reported, falsePositives, precision: reported ? (reported - falsePositives) / reported : 1, missed };
}
