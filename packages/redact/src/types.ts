/** What a finding is about: a credential, or data that identifies a person. */
export type Family = 'secret' | 'pii';

/** A span of text that a detector flagged. Offsets are JavaScript string indices, end exclusive. */
export interface Finding {
  start: number;
  end: number;
  /** What was found, for example `aws-access-key`, `email`, `card-number`, `custom-term`. */
  kind: string;
  family: Family;
}

/**
 * How a masked span is written:
 * - `shape` (default) keeps length and character classes: `Abc-123` → `Xxx-999`;
 * - `placeholder` writes the kind in angle brackets: `⟨email⟩`;
 * - `drop` removes the span.
 */
export type MaskStyle = 'shape' | 'placeholder' | 'drop';

/** A term a program wants masked wherever it appears: an exact term, or a pattern. */
export interface CustomTerm {
  /** Exact text (matched case-insensitively unless `caseSensitive`). */
  term?: string;
  /** A regular expression source; it must be linear-time safe (checked when the redactor is built). */
  pattern?: string;
  caseSensitive?: boolean;
  /**
   * Match only where the term is not glued to letters, digits or `_` on either side. Defaults
   * to false: a code name inside a longer identifier (`falconApi`) is masked too.
   */
  wholeWord?: boolean;
  /** Defaults to `custom-term`. */
  kind?: string;
  /** Defaults to `pii`. */
  family?: Family;
}

export interface RedactorConfig {
  style?: MaskStyle;
  terms?: readonly CustomTerm[];
  /** Kinds to leave alone (for a program that wants, say, IP addresses kept). */
  disabledKinds?: readonly string[];
}

export interface Redactor {
  /** All findings in the text, sorted by start, overlaps merged. */
  find(text: string): Finding[];
  /** The text with every finding masked in the configured style. */
  mask(text: string, findings?: readonly Finding[]): string;
}
