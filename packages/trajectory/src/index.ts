// Public API of @lockstep/trajectory: raw events → actions → episodes, and the mapping of
// actions onto agent action vocabularies. Pure: no Node, no DOM.
export * from './actions.ts';
export { Compiler, compile, DEFAULT_COMPILE_OPTIONS } from './compile/compiler.ts';
export type { CompileOptions, CompilerStart } from './compile/compiler.ts';
export { keyName } from './compile/keys.ts';
export { simplifyPath } from './compile/simplify.ts';
export { describeAction, describeActions } from './describe.ts';
export * from './episode.ts';
export { Segmenter, cutSession, splitAt, mergeAt, labelEpisode, buildEpisodes, originOf, DEFAULT_SEGMENT_OPTIONS } from './segment.ts';
export type { SegmentOptions, SegmenterState } from './segment.ts';
export { toComputer13, toPyautogui, computer13ToPyautogui, screenXY, pyKey } from './vocab/computer13.ts';
export type { Computer13Action, Computer13Type, Computer13Options } from './vocab/computer13.ts';
export { toUiTars, uiTarsFinished } from './vocab/uitars.ts';
export type { UiTarsOptions } from './vocab/uitars.ts';
export { toWebArena, webArenaStop, playwrightKey } from './vocab/webarena.ts';
export type { WebArenaOptions } from './vocab/webarena.ts';
export * from './export/index.ts';
