// `lockstep replay`: replays a web trajectory record in Chromium from its generated Playwright
// script and checks the final page against the recorded one.
export { replayRecord, formatReplayTable } from './runner.ts';
export type { ReplayOptions, ReplayResult, ReplayNote } from './runner.ts';
export { readFinalState, compareFinalState } from './state.ts';
export type { FieldCheck, ObservedField, ObservedState, StateCheck } from './state.ts';
