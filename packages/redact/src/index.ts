export type * from './types.ts';
export { createRedactor, RedactorConfigError } from './redactor.ts';
export { maskText, mergeFindings, shapeOf, placeholderFor, isMaskedShape } from './mask.ts';
export { DETECTORS, SECRET_DETECTORS, PII_DETECTORS, BUILTIN_KINDS, describeDetectors, type Detector } from './detectors/index.ts';
export { UnsafePatternError } from './detectors/safe-pattern.ts';
export { createStreamRedactor, closedAt, diff, openToken, type Placement, type StreamEvent, type StreamOptions, type StreamRedactor } from './stream.ts';
export { measureLatency, keystrokePrefixes, type LatencyReport } from './latency.ts';
