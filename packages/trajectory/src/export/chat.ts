// Trajectory records → supervised fine-tuning chats: one chat per step, in which the model is
// told its role and the task, sees what happened so far (a window of earlier actions, each
// followed by the observation that came after it) and must answer with the step's action.
// Three shapes of answer: a call of Anthropic's `computer` tool, an OpenAI `computer_call`, or a
// line of pyautogui code. The mapping reuses the computer_13 vocabulary (keys, typing over a
// known prior value, the address-bar navigation, scroll steps) so all exports agree; the table
// of what maps to what is in packages/trajectory/README.md ("### chat").
import type { Action, ActionKind, Observation, Point, Screen } from '../actions.ts';
import { computer13ToPyautogui, pyKey, screenXY, toComputer13, toPyautogui } from '../vocab/computer13.ts';
import type { Computer13Action, Computer13Options } from '../vocab/computer13.ts';
import type { Step, TrajectoryRecord } from './record.ts';

export type ChatShape = 'anthropic' | 'openai' | 'pyautogui';

/** What a masked field's text becomes: the content was never read, only that something was typed. */
export const MASKED_TEXT = '<masked>';
/** The user's words when the subject gave the episode no task. */
export const CONTINUE_TASK = 'Continue the task.';
export const DEFAULT_CHAT_HISTORY = 8;

export interface ChatOptions {
  shape: ChatShape;
  /** Earlier actions shown before the one to predict (default 8; 0 for none). Steps that were skipped do not count. */
  history?: number;
  /** The platform the actions will run on: names the command modifier (`mac`: ⌘). Default `linux`. */
  platform?: Computer13Options['platform'];
  /** CSS pixels per scroll step (Anthropic's `scroll_amount`, pyautogui's clicks); default 100. */
  scrollStepPx?: number;
  /**
   * pyautogui shape only: also turn web episodes into chats. Off by default, because web
   * coordinates are relative to the page's viewport, not to the screen pyautogui drives.
   */
  web?: boolean;
  /** Replaces the first sentence of the system message (the agent's role). */
  role?: string;
}

type XY = [number, number];

/** Input of Anthropic's `computer` tool (computer_20250124). Coordinates in screen pixels. */
export type AnthropicComputerInput =
  | { action: 'left_click' | 'right_click' | 'middle_click' | 'double_click' | 'triple_click'; coordinate: XY; text?: string }
  | { action: 'left_click_drag'; start_coordinate: XY; coordinate: XY }
  | { action: 'mouse_move'; coordinate: XY }
  | { action: 'left_mouse_down' | 'left_mouse_up' }
  | { action: 'scroll'; coordinate: XY; scroll_direction: 'up' | 'down' | 'left' | 'right'; scroll_amount: number; text?: string }
  | { action: 'type'; text: string }
  | { action: 'key'; text: string }
  | { action: 'wait'; duration: number };

/** The `action` of an OpenAI `computer_call`. Coordinates and scroll distances in screen pixels. */
export type OpenAIComputerAction =
  | { type: 'click'; button: 'left' | 'right' | 'wheel'; x: number; y: number }
  | { type: 'double_click'; x: number; y: number }
  | { type: 'drag'; path: { x: number; y: number }[] }
  | { type: 'scroll'; x: number; y: number; scroll_x: number; scroll_y: number }
  | { type: 'type'; text: string }
  | { type: 'keypress'; keys: string[] }
  | { type: 'wait' };

/** An Anthropic `tool_use` content block. */
export interface AnthropicToolUse {
  type: 'tool_use';
  id: string;
  name: 'computer';
  input: AnthropicComputerInput;
}

/** An OpenAI Responses API `computer_call` item. */
export interface OpenAIComputerCall {
  type: 'computer_call';
  call_id: string;
  action: OpenAIComputerAction;
}

export type ChatToolCall = AnthropicToolUse | OpenAIComputerCall;

/** Message content. `image` is a placeholder naming a stored screenshot; the trainer puts the picture in. */
export type ChatPart = { type: 'text'; text: string } | { type: 'image'; screenshot: string };

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: ChatPart[] }
  /** pyautogui shape: the action as code. */
  | { role: 'assistant'; content: string }
  /** anthropic and openai shapes: the action as tool calls (more than one for a navigation or a drag along a path). */
  | { role: 'assistant'; tool_calls: ChatToolCall[] }
  /** The result of one tool call: the observation after the action, on the step's last call. */
  | { role: 'tool'; tool_call_id: string; content: ChatPart[] };

/** The tool a chat's calls are for, as the provider's API declares it. */
export type ChatTool =
  | { type: 'computer_20250124'; name: 'computer'; display_width_px: number; display_height_px: number }
  | { type: 'computer_use_preview'; display_width: number; display_height: number; environment: 'browser' | 'linux' | 'mac' | 'windows' };

export interface ChatRecord {
  /** `<episode id>/<step index>`. */
  id: string;
  episode: string;
  subject: string;
  /** Index of the step whose action is the answer (the last message). */
  step: number;
  shape: ChatShape;
  /** anthropic and openai shapes, when the screen size is known. */
  tools?: ChatTool[];
  messages: ChatMessage[];
  /** The answer types into a masked field: its text is `<masked>`, not what was typed. Trainers usually drop these. */
  masked?: true;
}

/** What one episode gave: the generator's return value. */
export interface ChatSummary {
  records: number;
  /** Records flagged `masked`. */
  masked: number;
  /** Steps that became no record: the shape cannot express them, or there was nothing to do (a navigation an action caused). */
  skipped: number;
  skippedKinds: Partial<Record<ActionKind, number>>;
}

/** One step's action in a shape: tool calls or code; `masked` when it types into a masked field. */
type Answer = { calls: ChatToolCall[]; code?: undefined; masked: boolean } | { code: string; calls?: undefined; masked: boolean };

interface Turn {
  observation: Observation | undefined;
  answer: Answer;
}

/**
 * The chats of one episode, one per step that the shape can express, in step order. Returns how
 * many were made and how many steps were skipped (per action kind). Memory: the record and a
 * window of `history` turns.
 */
export function* chatRecords(record: TrajectoryRecord, opts: ChatOptions): Generator<ChatRecord, ChatSummary, undefined> {
  const history = opts.history ?? DEFAULT_CHAT_HISTORY;
  if (!Number.isInteger(history) || history < 0) throw new RangeError(`chat history must be a non-negative integer, got ${history}`);
  const summary: ChatSummary = { records: 0, masked: 0, skipped: 0, skippedKinds: {} };
  const skip = (kind: ActionKind): void => {
    summary.skipped++;
    summary.skippedKinds[kind] = (summary.skippedKinds[kind] ?? 0) + 1;
  };
  if (opts.shape === 'pyautogui' && record.platform === 'web' && !opts.web) {
    for (const s of record.steps) skip(s.action.kind);
    return summary;
  }

  const screen = screenOf(record);
  const system = systemMessage(record, screen, opts);
  const tools = toolsOf(record, screen, opts);
  const task: ChatPart = { type: 'text', text: record.task ? `Task: ${record.task}` : CONTINUE_TASK };
  const window: Turn[] = [];

  for (const step of record.steps) {
    const answer = answerOf(step, opts);
    if (!answer) {
      skip(step.action.kind);
      continue;
    }
    const turn: Turn = { observation: step.observation ?? step.action.observation, answer };
    const messages: ChatMessage[] = [
      { role: 'system', content: system },
      { role: 'user', content: [task, ...observationParts(window[0]?.observation ?? turn.observation)] },
    ];
    // Each earlier action is followed by what the screen showed next: the observation before the following shown action.
    window.forEach((prior, i) => messages.push(...priorMessages(prior, (window[i + 1] ?? turn).observation)));
    messages.push(answerMessage(turn.answer));

    const chat: ChatRecord = { id: `${record.id}/${step.index}`, episode: record.id, subject: record.subject, step: step.index, shape: opts.shape, messages };
    if (tools) chat.tools = tools;
    if (answer.masked) {
      chat.masked = true;
      summary.masked++;
    }
    summary.records++;
    yield chat;

    if (history > 0) {
      window.push(turn);
      if (window.length > history) window.shift();
    }
  }
  return summary;
}

/**
 * One action as pyautogui code, reusing `toPyautogui`: `null` when pyautogui has no equivalent,
 * `''` when there is nothing to do (a navigation an earlier action caused, the first page).
 */
export function actionPyautogui(a: Action, opts: Computer13Options = {}): string | null {
  if (toComputer13(a, opts) === null) return null;
  const script = toPyautogui([a], opts);
  if (!script.startsWith(PYAUTOGUI_PRELUDE)) throw new Error('toPyautogui no longer starts with the prelude chat.ts expects');
  return script.slice(PYAUTOGUI_PRELUDE.length).replace(/\n$/, '');
}

/** The imports `toPyautogui` puts before any action. */
const PYAUTOGUI_PRELUDE = toPyautogui([]);

function answerOf(step: Step, opts: ChatOptions): Answer | null {
  const a = step.action;
  const masked = a.kind === 'type' && (a.masked === true || a.text === undefined);
  const c13 = { platform: opts.platform ?? 'linux', scrollStepPx: opts.scrollStepPx };
  switch (opts.shape) {
    case 'pyautogui': {
      const code = masked ? computer13ToPyautogui({ action_type: 'TYPING', parameters: { text: MASKED_TEXT } }) : actionPyautogui(a, c13);
      return code ? { code, masked } : null;
    }
    case 'anthropic': {
      const inputs = masked ? [{ action: 'type' as const, text: MASKED_TEXT }] : anthropicInputs(a, c13);
      if (!inputs || inputs.length === 0) return null;
      return { calls: inputs.map((input, k) => ({ type: 'tool_use', id: `toolu_${step.index}_${k}`, name: 'computer', input })), masked };
    }
    case 'openai': {
      const actions = masked ? [{ type: 'type' as const, text: MASKED_TEXT }] : openaiActions(a, c13);
      if (!actions || actions.length === 0) return null;
      return { calls: actions.map((action, k) => ({ type: 'computer_call', call_id: `call_${step.index}_${k}`, action })), masked };
    }
  }
}

function answerMessage(answer: Answer): ChatMessage {
  return answer.calls ? { role: 'assistant', tool_calls: answer.calls } : { role: 'assistant', content: answer.code };
}

function priorMessages(prior: Turn, next: Observation | undefined): ChatMessage[] {
  const seen = observationParts(next);
  if (!prior.answer.calls) return [answerMessage(prior.answer), { role: 'user', content: seen }];
  const calls = prior.answer.calls;
  return [
    answerMessage(prior.answer),
    ...calls.map((c, k): ChatMessage => ({ role: 'tool', tool_call_id: c.type === 'tool_use' ? c.id : c.call_id, content: k === calls.length - 1 ? seen : [] })),
  ];
}

// ---- what the model is told ----

/** The screen the episode's coordinates refer to: the record's, else the first one an action or page observation names. */
function screenOf(record: TrajectoryRecord): Screen | undefined {
  if (record.screen) return record.screen;
  for (const { action, observation } of record.steps) {
    if ('screen' in action) return action.screen;
    const o = observation ?? action.observation;
    if (o?.kind === 'page') return o.viewport;
  }
  return undefined;
}

const px = (s: Screen): { width: number; height: number } => ({ width: Math.round(s.width * s.dpr), height: Math.round(s.height * s.dpr) });

function systemMessage(record: TrajectoryRecord, screen: Screen | undefined, opts: ChatOptions): string {
  const web = record.platform === 'web';
  const role = opts.role ?? (web ? 'You are a computer-use agent operating a web browser for a person.' : 'You are a computer-use agent operating a desktop computer for a person.');
  const sees = web ? 'Before each action you are told the page the browser shows.' : 'Before each action you are shown a screenshot of the window in use and told where that window is on the screen.';
  const size = screen ? `The ${web ? 'page viewport' : 'screen'} is ${px(screen).width}×${px(screen).height} pixels; coordinates are pixels from its top-left corner.` : 'The screen size is not known.';
  const acts = opts.shape === 'pyautogui' ? 'Answer with Python code that uses pyautogui to perform the next action.' : 'Perform the next action with the computer tool.';
  return [role, sees, size, acts].join(' ');
}

function toolsOf(record: TrajectoryRecord, screen: Screen | undefined, opts: ChatOptions): ChatTool[] | undefined {
  if (!screen || opts.shape === 'pyautogui') return undefined;
  const { width, height } = px(screen);
  if (opts.shape === 'anthropic') return [{ type: 'computer_20250124', name: 'computer', display_width_px: width, display_height_px: height }];
  const environment = record.platform === 'web' ? 'browser' : (opts.platform ?? 'linux');
  return [{ type: 'computer_use_preview', display_width: width, display_height: height, environment }];
}

function observationParts(o: Observation | undefined): ChatPart[] {
  if (!o) return [{ type: 'text', text: 'No observation was recorded before this action.' }];
  const unsettled = o.settled ? '' : '\n(The screen was still changing.)';
  if (o.kind === 'screenshot') {
    // The desktop agent shows the active window only; its place on screen turns image pixels into screen pixels.
    const where = o.box ? `: the window at ${Math.round(o.box.x)},${Math.round(o.box.y)} on the screen, ${Math.round(o.box.w)}×${Math.round(o.box.h)} pixels` : '';
    return [{ type: 'text', text: `Screenshot ${o.id}${where}${unsettled}` }, { type: 'image', screenshot: o.id }];
  }
  const { width, height } = px(o.viewport);
  const lines = [`Page: ${o.title || '(no title)'}`, `URL: ${o.url}`, `Viewport: ${width}×${height} pixels`];
  if (o.scroll.x !== 0 || o.scroll.y !== 0) lines.push(`Scrolled to: ${o.scroll.x}, ${o.scroll.y} (CSS pixels)`);
  return [{ type: 'text', text: lines.join('\n') + unsettled }];
}

// ---- Anthropic's computer tool ----

const xy = (p: Point, s: Screen): XY => {
  const { x, y } = screenXY(p, s);
  return [x, y];
};

/** pyautogui key names (computer_13's) → xdotool keysyms, which the computer tool's `key` takes. */
const XDOTOOL_KEYS: Record<string, string> = {
  enter: 'Return',
  tab: 'Tab',
  escape: 'Escape',
  backspace: 'BackSpace',
  delete: 'Delete',
  space: 'space',
  left: 'Left',
  right: 'Right',
  up: 'Up',
  down: 'Down',
  home: 'Home',
  end: 'End',
  pageup: 'Page_Up',
  pagedown: 'Page_Down',
  insert: 'Insert',
  ctrl: 'ctrl',
  alt: 'alt',
  shift: 'shift',
  win: 'super',
  command: 'super',
  capslock: 'Caps_Lock',
  numlock: 'Num_Lock',
  scrolllock: 'Scroll_Lock',
  printscreen: 'Print',
  pause: 'Pause',
  apps: 'Menu',
  altgr: 'ISO_Level3_Shift',
};

/** Printable characters whose xdotool keysym is a name (`+` must be, since it joins a combo). */
const XDOTOOL_CHARS: Record<string, string> = {
  '+': 'plus',
  '-': 'minus',
  '=': 'equal',
  ',': 'comma',
  '.': 'period',
  '/': 'slash',
  '\\': 'backslash',
  ';': 'semicolon',
  "'": 'apostrophe',
  '`': 'grave',
  '[': 'bracketleft',
  ']': 'bracketright',
  '!': 'exclam',
  '@': 'at',
  '#': 'numbersign',
  $: 'dollar',
  '%': 'percent',
  '^': 'asciicircum',
  '&': 'ampersand',
  '*': 'asterisk',
  '(': 'parenleft',
  ')': 'parenright',
  _: 'underscore',
  '{': 'braceleft',
  '}': 'braceright',
  '|': 'bar',
  ':': 'colon',
  '"': 'quotedbl',
  '<': 'less',
  '>': 'greater',
  '?': 'question',
  '~': 'asciitilde',
};

function xdotoolKey(name: string): string | null {
  const named = XDOTOOL_KEYS[name] ?? XDOTOOL_CHARS[name];
  if (named) return named;
  if (/^f\d{1,2}$/.test(name)) return name.toUpperCase();
  if (/^[a-z0-9]$/.test(name)) return name;
  return null;
}

/** Keys as one xdotool combo (`ctrl+shift+z`); null when one has no keysym here. */
function xdotoolCombo(keys: readonly string[]): string | null {
  const names = keys.map(xdotoolKey);
  return names.every((k): k is string => k !== null) ? names.join('+') : null;
}

/** Modifiers held during a click or scroll: the tool's `text`. */
function anthropicMods(mods: readonly string[] | undefined, opts: Computer13Options): { text?: string } | null {
  if (!mods) return {};
  const text = xdotoolCombo(mods.map((m) => pyKey(m, opts.platform)));
  return text === null ? null : { text };
}

function anthropicInputs(a: Action, opts: Computer13Options): AnthropicComputerInput[] | null {
  switch (a.kind) {
    case 'click': {
      const mods = anthropicMods(a.mods, opts);
      if (!mods) return null;
      if (a.button === 'middle') return a.count ? null : [{ action: 'middle_click', coordinate: xy(a.point, a.screen), ...mods }];
      return [{ action: a.count === 3 ? 'triple_click' : 'left_click', coordinate: xy(a.point, a.screen), ...mods }];
    }
    case 'double_click':
    case 'right_click': {
      const mods = anthropicMods(a.mods, opts);
      return mods ? [{ action: a.kind, coordinate: xy(a.point, a.screen), ...mods }] : null;
    }
    case 'drag': {
      // The tool presses only the left button and takes no modifiers for a drag.
      if (a.button !== 'left' || a.mods) return null;
      if (a.path.length <= 2) return [{ action: 'left_click_drag', start_coordinate: xy(a.point, a.screen), coordinate: xy(a.end, a.screen) }];
      return [
        { action: 'mouse_move', coordinate: xy(a.point, a.screen) },
        { action: 'left_mouse_down' },
        ...a.path.slice(1).map((p): AnthropicComputerInput => ({ action: 'mouse_move', coordinate: xy(p, a.screen) })),
        { action: 'left_mouse_up' },
      ];
    }
    case 'scroll': {
      const mods = anthropicMods(a.mods, opts);
      const steps = scrollSteps(a, opts);
      if (!mods || !steps) return null;
      const coordinate = xy(a.point, a.screen);
      const vertical: AnthropicComputerInput[] = steps.up === 0 ? [] : [{ action: 'scroll', coordinate, scroll_direction: steps.up > 0 ? 'up' : 'down', scroll_amount: Math.abs(steps.up), ...mods }];
      const horizontal: AnthropicComputerInput[] = steps.right === 0 ? [] : [{ action: 'scroll', coordinate, scroll_direction: steps.right > 0 ? 'right' : 'left', scroll_amount: Math.abs(steps.right), ...mods }];
      return a.direction === 'left' || a.direction === 'right' ? [...horizontal, ...vertical] : [...vertical, ...horizontal];
    }
    case 'wait':
      return [{ action: 'wait', duration: seconds(a.duration) }];
    default:
      return keyboard(toComputer13(a, opts), (c) => {
        if (c.action_type === 'TYPING') return { action: 'type', text: String(c.parameters.text) };
        const text = xdotoolCombo(c.action_type === 'PRESS' ? [String(c.parameters.key)] : strings(c.parameters.keys));
        return text === null ? null : { action: 'key', text };
      });
  }
}

// ---- OpenAI's computer_call ----

/** pyautogui key names → the names OpenAI's computer-use model uses in `keypress`. */
const OPENAI_KEYS: Record<string, string> = {
  enter: 'ENTER',
  tab: 'TAB',
  escape: 'ESC',
  backspace: 'BACKSPACE',
  delete: 'DELETE',
  space: 'SPACE',
  left: 'ARROWLEFT',
  right: 'ARROWRIGHT',
  up: 'ARROWUP',
  down: 'ARROWDOWN',
  home: 'HOME',
  end: 'END',
  pageup: 'PAGEUP',
  pagedown: 'PAGEDOWN',
  insert: 'INSERT',
  ctrl: 'CTRL',
  alt: 'ALT',
  shift: 'SHIFT',
  win: 'META',
  command: 'CMD',
  capslock: 'CAPSLOCK',
};

function openaiKey(name: string): string | null {
  const named = OPENAI_KEYS[name];
  if (named) return named;
  if (/^f\d{1,2}$/.test(name)) return name.toUpperCase();
  // Printable characters are their own names (letters in upper case, as the model writes them).
  if ([...name].length === 1) return name.toUpperCase();
  return null;
}

function openaiKeys(keys: readonly string[]): string[] | null {
  const names = keys.map(openaiKey);
  return names.every((k): k is string => k !== null) ? names : null;
}

function openaiActions(a: Action, opts: Computer13Options): OpenAIComputerAction[] | null {
  const at = (p: Point, s: Screen): { x: number; y: number } => screenXY(p, s);
  switch (a.kind) {
    // computer_call clicks, drags and scrolls take no modifiers, and there is no triple click.
    case 'click':
      return a.mods || a.count ? null : [{ type: 'click', button: a.button === 'middle' ? 'wheel' : 'left', ...at(a.point, a.screen) }];
    case 'double_click':
      return a.mods ? null : [{ type: 'double_click', ...at(a.point, a.screen) }];
    case 'right_click':
      return a.mods ? null : [{ type: 'click', button: 'right', ...at(a.point, a.screen) }];
    case 'drag':
      return a.mods || a.button !== 'left' ? null : [{ type: 'drag', path: a.path.map((p) => at(p, a.screen)) }];
    case 'scroll':
      // Distances in screen pixels with the DOM's sign (positive = down / right), as computer_call's.
      return a.mods ? null : [{ type: 'scroll', ...at(a.point, a.screen), scroll_x: Math.round(a.dx * a.screen.dpr), scroll_y: Math.round(a.dy * a.screen.dpr) }];
    case 'wait':
      return [{ type: 'wait' }];
    default:
      return keyboard(toComputer13(a, opts), (c) => {
        if (c.action_type === 'TYPING') return { type: 'type', text: String(c.parameters.text) };
        const keys = openaiKeys(c.action_type === 'PRESS' ? [String(c.parameters.key)] : strings(c.parameters.keys));
        return keys === null ? null : { type: 'keypress', keys };
      });
  }
}

// ---- shared ----

/**
 * computer_13's keyboard commands (TYPING, PRESS, HOTKEY: what typing, keys, hotkeys and an
 * address-bar navigation become) in another shape; null when computer_13 has no equivalent or a
 * key cannot be named.
 */
function keyboard<T>(c13: Computer13Action[] | null, one: (c: Computer13Action) => T | null): T[] | null {
  if (c13 === null) return null;
  const out: T[] = [];
  for (const c of c13) {
    if (c.action_type !== 'TYPING' && c.action_type !== 'PRESS' && c.action_type !== 'HOTKEY') throw new Error(`chat export: unexpected computer_13 ${c.action_type} for a keyboard action`);
    const mapped = one(c);
    if (mapped === null) return null;
    out.push(mapped);
  }
  return out;
}

/** computer_13's scroll steps (`scrollStepPx` each): positive up, positive right. */
function scrollSteps(a: Action, opts: Computer13Options): { up: number; right: number } | null {
  const scroll = toComputer13(a, opts)?.find((c) => c.action_type === 'SCROLL');
  if (!scroll) return null;
  return { up: Number(scroll.parameters.dy), right: Number(scroll.parameters.dx) };
}

const strings = (v: string | number | string[] | undefined): string[] => (Array.isArray(v) ? v : []);

/** Seconds to one decimal, as `toPyautogui` sleeps. */
const seconds = (ms: number): number => Math.round(ms / 100) / 10;
