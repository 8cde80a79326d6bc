// The desktop capture agent: see agent.ts for how the parts fit.
export { startAgent, type AgentOptions, type RunningAgent } from './agent.ts';
export { callAgent, readControlFile, startControl, type AgentStatus, type ControlFile } from './control.ts';
export { enrollAgent, loadDevice, type DeviceCredential } from './device.ts';
export { formatDuration, parseDuration } from './duration.ts';
export { NoDisplayError } from './hooks/host.ts';
export { DesktopRecorder, type RecorderOptions, type StopReason, type WindowInfo } from './recorder.ts';
export { isAllowed, isCredentialPrompt, titleMatches, type CaptureSettings } from './policy.ts';
