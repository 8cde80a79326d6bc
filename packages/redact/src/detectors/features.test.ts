// The shared prefilter must change no result: every gate is a necessary condition, every `scan`
// finds what `find` finds, and the redactor (gates, rule skipping, the generic rule skipping runs
// inside specific findings, its own merge) reports what merging every detector's `find` gives.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import corpusText from '../../corpus/corpus.jsonl?raw';
import { CORPUS_TERMS, type CorpusCase } from '../../corpus/generate.ts';
import { createRedactor } from '../redactor.ts';
import { mergeFindings } from '../mask.ts';
import type { Finding } from '../types.ts';
import { customTerms } from './custom-terms.ts';
import { DETECTORS } from './index.ts';
import { FEATURES_MAX_LENGTH, textFeatures } from './features.ts';

const lines = corpusText
  .split('\n')
  .filter(Boolean)
  .map((l) => (JSON.parse(l) as CorpusCase).text);
const whole = lines.join('\n');
const windows: string[] = [];
for (let p = 0; p + 256 <= whole.length; p += 211) windows.push(whole.slice(p, p + 256));

const custom = customTerms(CORPUS_TERMS);
const redactor = createRedactor({ terms: CORPUS_TERMS });

/** What the redactor must report: every detector's own find, merged. */
function reference(text: string): Finding[] {
  const raw: Finding[] = [];
  for (const d of DETECTORS) d.find(text, raw);
  custom.find(text, raw);
  return mergeFindings(raw);
}

function gatedDiffers(text: string): string[] {
  const f = textFeatures(text);
  const bad: string[] = [];
  for (const d of DETECTORS) {
    const want: Finding[] = [];
    d.find(text, want);
    const got: Finding[] = [];
    if (!d.gate || d.gate(f)) (d.scan ?? d.find).call(d, text, got, f);
    if (JSON.stringify(mergeFindings(got)) !== JSON.stringify(mergeFindings(want))) bad.push(`${d.name}: ${JSON.stringify(text.slice(0, 120))}`);
  }
  return bad;
}

const unit = fc.constantFrom(...'aA9 @.:-_/+=\n"\'$()[]{}#?&%!~'.split(''), 'AKIA', 'ghp_', 'eyJ', '-----BEGIN ', 'password', 'sk-', '4111', 'xox', ' 555 ', '+44 ', 'DE89', 'key-', 'secret_', 'Q~', 'sig=', 'tel ', 'Bearer ', '://', 'token=', '::', 'ab:', 'AB12');

describe('the shared prefilter', () => {
  it('gates and scans find what find finds, on every corpus line and window', () => {
    const bad = [...lines, ...windows].flatMap(gatedDiffers);
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('gates and scans find what find finds, on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 300 }), (text) => {
        expect(gatedDiffers(text)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves the redactor reporting what merging every detector gives (lines, windows, whole text)', () => {
    for (const t of [...lines, ...windows]) expect(redactor.find(t), t).toEqual(reference(t));
    expect(whole.length).toBeGreaterThan(FEATURES_MAX_LENGTH);
    expect(redactor.find(whole)).toEqual(reference(whole));
  });

  it('leaves the redactor reporting what merging every detector gives (arbitrary text)', () => {
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 300 }), (text) => {
        expect(redactor.find(text)).toEqual(reference(text));
      }),
      { numRuns: 300 },
    );
  });
});
