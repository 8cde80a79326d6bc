import type { Family, Finding } from '../types.ts';
import type { TextFeatures } from './features.ts';

/**
 * One detector: a small, named scanner for one family of findings.
 *
 * Rule for every detector (see README, "Linear time"): `find` must run in time linear in
 * `text.length` with a small constant, whatever the input — no unbounded regex repetition,
 * no nested or overlapping quantifiers, bounded look-around only, and every rescan bounded.
 */
export interface Detector {
  /** Stable name, also the file name under src/detectors/. */
  readonly name: string;
  readonly family: Family;
  /** Every kind this detector can report. */
  readonly kinds: readonly string[];
  /** One line: what it finds. */
  readonly description: string;
  /** Appends its findings in `text` to `out` (any order, may overlap). */
  find(text: string, out: Finding[]): void;
  /**
   * Optional prefilter: false when the text cannot hold a finding of this detector (a necessary
   * condition on the shared features of `features.ts`; the redactor then skips `find`).
   */
  gate?(f: TextFeatures): boolean;
  /** Optional: `find` with the features at hand, to skip parts (rules) that cannot match. Same findings as `find`. */
  scan?(text: string, out: Finding[], f: TextFeatures): void;
}
