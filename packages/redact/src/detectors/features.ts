// The shared prefilter: one pass over a short text records what any finding needs (characters
// present, digit count, the longest run of token characters), so that a detector, or one rule of
// it, that cannot match is not run at all. Every gate is a necessary condition of its detector
// (a finding implies the gate holds), never a heuristic: gating changes no result, only the cost.
// On long texts (whole documents) every detector has candidates anyway, so the pass is skipped
// and every gate is open.

/** Character bits of `TextFeatures.chars`. */
export const AT = 1 << 0;
export const COLON = 1 << 1;
export const EQ = 1 << 2;
export const UNDERSCORE = 1 << 3;
export const DASH = 1 << 4;
export const DOT = 1 << 5;
export const SLASH = 1 << 6;
export const PLUS = 1 << 7;
export const DQUOTE = 1 << 8;
export const QUOTE = 1 << 9;
export const QMARK = 1 << 10;
export const AMP = 1 << 11;
export const SEMI = 1 << 12;
export const UPPER = 1 << 13;
export const LOWER = 1 << 14;
export const DIGIT = 1 << 15;
export const TILDE = 1 << 16;

/** Run characters: letters, digits and `_ - . + / = ~ %` — every token body and literal prefix is made of them. */
const RUN = 1 << 30;

export interface TextFeatures {
  /** Which of the characters above occur (bits). */
  chars: number;
  /** How many ASCII digits. */
  digits: number;
  /** Length of the longest run of run characters. */
  maxRun: number;
  /**
   * Set by the redactor when it merges every finding and reports every kind: a generic finding
   * inside a specific one then changes nothing, and the generic rule may skip it.
   */
  coveredMayBeSkipped?: boolean;
}

/** Features that open every gate (long texts). */
// (same property order as textFeatures' result: one object shape for every gate to see)
export const ALL_FEATURES: Readonly<TextFeatures> = { chars: 0x3fffffff, digits: Infinity, maxRun: Infinity, coveredMayBeSkipped: false };
const ALL_FEATURES_COVERED: Readonly<TextFeatures> = { chars: 0x3fffffff, digits: Infinity, maxRun: Infinity, coveredMayBeSkipped: true };

/** Above this length the prefilter pass costs more than it saves. */
export const FEATURES_MAX_LENGTH = 4096;

const TABLE = new Int32Array(128);
for (let c = 48; c <= 57; c++) TABLE[c] = DIGIT | RUN;
for (let c = 65; c <= 90; c++) TABLE[c] = UPPER | RUN;
for (let c = 97; c <= 122; c++) TABLE[c] = LOWER | RUN;
TABLE[64] = AT;
TABLE[58] = COLON;
TABLE[61] = EQ | RUN;
TABLE[95] = UNDERSCORE | RUN;
TABLE[45] = DASH | RUN;
TABLE[46] = DOT | RUN;
TABLE[47] = SLASH | RUN;
TABLE[43] = PLUS | RUN;
TABLE[34] = DQUOTE;
TABLE[39] = QUOTE;
TABLE[63] = QMARK;
TABLE[38] = AMP;
TABLE[59] = SEMI;
TABLE[126] = TILDE | RUN;
TABLE[37] = RUN;

/** True for the characters counted in `maxRun`. */
export const isRunChar = (c: number): boolean => c < 128 && (TABLE[c]! & RUN) !== 0;

/** One pass over `text`; `ALL_FEATURES` for long texts. */
export function textFeatures(text: string, coveredMayBeSkipped = false): TextFeatures {
  const len = text.length;
  if (len > FEATURES_MAX_LENGTH) return coveredMayBeSkipped ? ALL_FEATURES_COVERED : ALL_FEATURES;
  let chars = 0;
  let digits = 0;
  let run = 0;
  let maxRun = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    const t = c < 128 ? TABLE[c]! : 0;
    chars |= t;
    if (t & DIGIT) digits++;
    if (t & RUN) {
      if (++run > maxRun) maxRun = run;
    } else run = 0;
  }
  return { chars: chars & ~RUN, digits, maxRun, coveredMayBeSkipped };
}

/** True when every bit of `bits` is present. */
export const has = (f: TextFeatures, bits: number): boolean => (f.chars & bits) === bits;
