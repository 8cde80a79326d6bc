// Public API of @lockstep/capture-web.
export { attachRecorder } from './playwright.ts';
export type { Recording } from './playwright.ts';
export type { RecorderOptions, PageOptions } from './options.ts';
export { DEFAULT_OPTIONS } from './options.ts';
export { recorderScript } from './bundle.ts';
export { Uploader, UploadError, UploadTimeoutError } from './uploader.ts';
export type { UploaderOptions, UploadSummary } from './uploader.ts';
export { openRecordingBrowser } from './launch.ts';
export type { RecordingBrowser, RecordingBrowserOptions } from './launch.ts';
export { launchChromium, CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.ts';
export type { LaunchOptions } from './chromium.ts';
export { BLOCK_ATTR, MASK_ATTR, blockOf, isMasked, isModifierKey, isPrintableKey, isSecretAutocomplete, maskedKey } from './privacy.ts';
