// Exports: episodes as training data. The trajectory record (record.ts) is the line format of
// the jsonl export and the input of every other writer.
export * from './record.ts';
export { buildTrajectory, startOf } from './build.ts';
export type { BuildOptions } from './build.ts';
export { createSiteAliases, REMOVED_URL } from './sites.ts';
export type { SiteAlias, SiteAliasOptions, SiteAliases } from './sites.ts';
export { toJsonlLine, parseJsonl, TrajectoryRecordError } from './jsonl.ts';
export type { RecordIssue } from './jsonl.ts';
export { trajectoryJsonSchema, TRAJECTORY_SCHEMA_ID } from './schema.ts';
export { createCard, DatasetCard, DatasetCardMeta, DATASET_CARD_FORMAT, DATASET_CARD_VERSION } from './card.ts';
export type { CardBuilder } from './card.ts';
export { chatRecords, actionPyautogui, MASKED_TEXT, CONTINUE_TASK, DEFAULT_CHAT_HISTORY } from './chat.ts';
export type { ChatShape, ChatOptions, ChatRecord, ChatSummary, ChatMessage, ChatPart, ChatTool, ChatToolCall, AnthropicComputerInput, AnthropicToolUse, OpenAIComputerAction, OpenAIComputerCall } from './chat.ts';
export { STEP_SCHEMA, DEFAULT_BATCH_ROWS, StepBatcher, stepRows, stepBatches, batchToIPC } from './rows.ts';
export type { StepRow, StepRowOptions, StepBatchOptions } from './rows.ts';
export { toPlaywrightScript, primaryOrigin, siteRoutes, localUrl, recordedUrl, MASKED_STAND_INS, REPLAY_CHROMIUM_ARGS, DEFAULT_PLAYWRIGHT_SCRIPT_OPTIONS } from './playwright.ts';
export type { PlaywrightScriptOptions, SiteMapping, SiteRoute } from './playwright.ts';
