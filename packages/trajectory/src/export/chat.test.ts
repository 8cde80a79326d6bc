import { describe, expect, it } from 'vitest';
import suite from '../../fixtures/suite.json' with { type: 'json' };
import type { Action, Point, Screen } from '../actions.ts';
import { loadRecording } from '../testing.ts';
import { toComputer13 } from '../vocab/computer13.ts';
import { buildTrajectory } from './build.ts';
import { CONTINUE_TASK, MASKED_TEXT, actionPyautogui, chatRecords } from './chat.ts';
import type { ChatMessage, ChatOptions, ChatRecord, ChatShape, ChatSummary } from './chat.ts';
import { TRAJECTORY_FORMAT, TRAJECTORY_VERSION, TrajectoryRecord } from './record.ts';

const SHAPES: ChatShape[] = ['anthropic', 'openai', 'pyautogui'];

/** Runs the generator to its end: the records and the summary it returns. */
function collect(record: TrajectoryRecord, opts: ChatOptions): { chats: ChatRecord[]; summary: ChatSummary } {
  const it = chatRecords(record, opts);
  const chats: ChatRecord[] = [];
  for (let r = it.next(); ; r = it.next()) {
    if (r.done) return { chats, summary: r.value };
    chats.push(r.value);
  }
}

async function fixtureRecord(name: string, goal: string): Promise<TrajectoryRecord> {
  return buildTrajectory(await loadRecording(name), { id: `ep-${name}`, subject: 'subject-1', task: goal });
}

// ---- hand-made episodes ----

const SCREEN: Screen = { width: 800, height: 600, dpr: 2 };
const pt = (x: number, y: number): Point => ({ x, y, nx: x / SCREEN.width, ny: y / SCREEN.height });
const base = (i: number) => ({ seq: { from: i * 10, to: i * 10 + 1 }, t: i * 1000, duration: 100 });
const target = { tag: 'input', role: 'textbox', name: 'Name', selector: '#name', box: { x: 90, y: 40, w: 200, h: 20 } };

function episode(actions: Action[], over: Partial<TrajectoryRecord> = {}): TrajectoryRecord {
  return TrajectoryRecord.parse({
    format: TRAJECTORY_FORMAT,
    version: TRAJECTORY_VERSION,
    id: 'ep-1',
    subject: 'subject-1',
    task: 'Fill in the form',
    platform: 'web',
    screen: SCREEN,
    duration: actions.length * 1000,
    apps: ['http://samples.test'],
    events: actions.length * 2,
    counts: {},
    redactions: {},
    steps: actions.map((action, index) => ({
      index,
      action,
      observation: { kind: 'page', seq: index * 10, t: index * 1000, settled: true, url: `http://samples.test/p${index}`, title: `Page ${index}`, viewport: SCREEN, scroll: { x: 0, y: 0 } },
    })),
    ...over,
  });
}

/** The answer of a one-step episode: the last message. */
function answer(a: Action, opts: ChatOptions): { last: ChatMessage; chat: ChatRecord | undefined; summary: ChatSummary } {
  const { chats, summary } = collect(episode([a]), opts);
  const chat = chats[0];
  return { last: chat?.messages.at(-1) ?? { role: 'system', content: '' }, chat, summary };
}

/** A message's content (system text, or user and tool parts). */
const content = (m: ChatMessage | undefined): unknown => (m && 'content' in m ? m.content : undefined);
const parts = (m: ChatMessage | undefined): unknown[] => {
  const c = content(m);
  return Array.isArray(c) ? c : [];
};

const calls = (m: ChatMessage): unknown[] => ('tool_calls' in m ? m.tool_calls.map((c) => (c.type === 'tool_use' ? c.input : c.action)) : []);

const click: Action = { ...base(0), kind: 'click', point: pt(100, 50), screen: SCREEN, button: 'left', target };

describe('chat records: the mapping of one action', () => {
  it('clicks at screen pixels (CSS px × dpr), with the right button and count', () => {
    expect(calls(answer(click, { shape: 'anthropic' }).last)).toEqual([{ action: 'left_click', coordinate: [200, 100] }]);
    expect(calls(answer(click, { shape: 'openai' }).last)).toEqual([{ type: 'click', button: 'left', x: 200, y: 100 }]);
    expect(answer(click, { shape: 'pyautogui', web: true }).last).toEqual({ role: 'assistant', content: 'pyautogui.click(200, 100, button="left")' });

    const triple: Action = { ...click, count: 3 };
    expect(calls(answer(triple, { shape: 'anthropic' }).last)).toEqual([{ action: 'triple_click', coordinate: [200, 100] }]);
    expect(answer(triple, { shape: 'openai' }).summary).toMatchObject({ records: 0, skipped: 1, skippedKinds: { click: 1 } });

    const middle: Action = { ...click, button: 'middle' };
    expect(calls(answer(middle, { shape: 'anthropic' }).last)).toEqual([{ action: 'middle_click', coordinate: [200, 100] }]);
    expect(calls(answer(middle, { shape: 'openai' }).last)).toEqual([{ type: 'click', button: 'wheel', x: 200, y: 100 }]);

    const right: Action = { ...base(0), kind: 'right_click', point: pt(10, 20), screen: SCREEN };
    expect(calls(answer(right, { shape: 'anthropic' }).last)).toEqual([{ action: 'right_click', coordinate: [20, 40] }]);
    expect(calls(answer(right, { shape: 'openai' }).last)).toEqual([{ type: 'click', button: 'right', x: 20, y: 40 }]);

    const double: Action = { ...base(0), kind: 'double_click', point: pt(10, 20), screen: SCREEN };
    expect(calls(answer(double, { shape: 'anthropic' }).last)).toEqual([{ action: 'double_click', coordinate: [20, 40] }]);
    expect(calls(answer(double, { shape: 'openai' }).last)).toEqual([{ type: 'double_click', x: 20, y: 40 }]);
  });

  it('holds modifiers through the computer tool’s text; computer_call cannot, so the step is skipped', () => {
    const ctrlClick: Action = { ...click, mods: ['ctrl', 'shift'] };
    expect(calls(answer(ctrlClick, { shape: 'anthropic' }).last)).toEqual([{ action: 'left_click', coordinate: [200, 100], text: 'ctrl+shift' }]);
    expect(calls(answer({ ...click, mods: ['meta'] }, { shape: 'anthropic', platform: 'mac' }).last)).toEqual([{ action: 'left_click', coordinate: [200, 100], text: 'super' }]);
    expect(answer(ctrlClick, { shape: 'openai' }).summary.skippedKinds).toEqual({ click: 1 });
  });

  it('drags straight, or along the path when it bends', () => {
    const straight: Action = { ...base(0), kind: 'drag', via: 'pointer', button: 'left', point: pt(10, 10), end: pt(110, 60), path: [pt(10, 10), pt(110, 60)], screen: SCREEN };
    expect(calls(answer(straight, { shape: 'anthropic' }).last)).toEqual([{ action: 'left_click_drag', start_coordinate: [20, 20], coordinate: [220, 120] }]);
    expect(calls(answer(straight, { shape: 'openai' }).last)).toEqual([{ type: 'drag', path: [{ x: 20, y: 20 }, { x: 220, y: 120 }] }]);

    const bent: Action = { ...straight, path: [pt(10, 10), pt(60, 100), pt(110, 60)] };
    expect(calls(answer(bent, { shape: 'anthropic' }).last)).toEqual([
      { action: 'mouse_move', coordinate: [20, 20] },
      { action: 'left_mouse_down' },
      { action: 'mouse_move', coordinate: [120, 200] },
      { action: 'mouse_move', coordinate: [220, 120] },
      { action: 'left_mouse_up' },
    ]);
    expect(calls(answer(bent, { shape: 'openai' }).last)).toEqual([{ type: 'drag', path: [{ x: 20, y: 20 }, { x: 120, y: 200 }, { x: 220, y: 120 }] }]);

    const rightButton: Action = { ...straight, button: 'right' };
    for (const shape of ['anthropic', 'openai'] as const) expect(answer(rightButton, { shape }).summary.skippedKinds).toEqual({ drag: 1 });
  });

  it('scrolls by steps in a direction (anthropic) or by screen pixels with the DOM sign (openai)', () => {
    const down: Action = { ...base(0), kind: 'scroll', point: pt(400, 300), screen: SCREEN, direction: 'down', dx: 0, dy: 320 };
    expect(calls(answer(down, { shape: 'anthropic' }).last)).toEqual([{ action: 'scroll', coordinate: [800, 600], scroll_direction: 'down', scroll_amount: 3 }]);
    expect(calls(answer(down, { shape: 'openai' }).last)).toEqual([{ type: 'scroll', x: 800, y: 600, scroll_x: 0, scroll_y: 640 }]);
    expect(answer(down, { shape: 'pyautogui', web: true }).last).toEqual({ role: 'assistant', content: 'pyautogui.moveTo(800, 600)\npyautogui.scroll(-3)' });

    const diagonal: Action = { ...down, direction: 'left', dx: -250, dy: 100 };
    expect(calls(answer(diagonal, { shape: 'anthropic' }).last)).toEqual([
      { action: 'scroll', coordinate: [800, 600], scroll_direction: 'left', scroll_amount: 3 },
      { action: 'scroll', coordinate: [800, 600], scroll_direction: 'down', scroll_amount: 1 },
    ]);
  });

  it('types, replacing a known prior value it does not extend, and presses keys by each vocabulary’s names', () => {
    const typed: Action = { ...base(0), kind: 'type', text: 'Ada', target };
    expect(calls(answer(typed, { shape: 'anthropic' }).last)).toEqual([{ action: 'type', text: 'Ada' }]);
    expect(calls(answer(typed, { shape: 'openai' }).last)).toEqual([{ type: 'type', text: 'Ada' }]);

    const retyped: Action = { ...typed, prior: 'Bob' };
    expect(calls(answer(retyped, { shape: 'anthropic' }).last)).toEqual([{ action: 'key', text: 'ctrl+a' }, { action: 'type', text: 'Ada' }]);
    expect(calls(answer(retyped, { shape: 'openai', platform: 'mac' }).last)).toEqual([{ type: 'keypress', keys: ['CMD', 'A'] }, { type: 'type', text: 'Ada' }]);

    const enter: Action = { ...base(0), kind: 'key', key: 'enter', count: 2 };
    expect(calls(answer(enter, { shape: 'anthropic' }).last)).toEqual([{ action: 'key', text: 'Return' }, { action: 'key', text: 'Return' }]);
    expect(calls(answer(enter, { shape: 'openai' }).last)).toEqual([{ type: 'keypress', keys: ['ENTER'] }, { type: 'keypress', keys: ['ENTER'] }]);

    const save: Action = { ...base(0), kind: 'hotkey', keys: ['ctrl', 'shift', '+'], combo: 'ctrl+shift++', command: 'ctrl' };
    expect(calls(answer(save, { shape: 'anthropic' }).last)).toEqual([{ action: 'key', text: 'ctrl+shift+plus' }]);
    expect(calls(answer(save, { shape: 'openai' }).last)).toEqual([{ type: 'keypress', keys: ['CTRL', 'SHIFT', '+'] }]);
    expect(calls(answer(save, { shape: 'anthropic', platform: 'mac' }).last)).toEqual([{ action: 'key', text: 'super+shift+plus' }]);

    const unnamed: Action = { ...base(0), kind: 'key', key: 'unidentified' };
    for (const shape of ['anthropic', 'openai'] as const) expect(answer(unnamed, { shape }).summary.skippedKinds).toEqual({ key: 1 });
  });

  it('puts <masked> for what was typed into a masked field, and flags the record', () => {
    const secret: Action = { ...base(0), kind: 'type', masked: true, target: { ...target, masked: true } };
    const anthropic = answer(secret, { shape: 'anthropic' });
    expect(calls(anthropic.last)).toEqual([{ action: 'type', text: MASKED_TEXT }]);
    expect(anthropic.chat?.masked).toBe(true);
    expect(anthropic.summary).toMatchObject({ records: 1, masked: 1 });
    expect(calls(answer(secret, { shape: 'openai' }).last)).toEqual([{ type: 'type', text: MASKED_TEXT }]);
    const py = answer(secret, { shape: 'pyautogui', web: true });
    expect(py.last).toEqual({ role: 'assistant', content: `pyautogui.write("${MASKED_TEXT}")` });
    expect(py.chat?.masked).toBe(true);
    expect(answer(click, { shape: 'anthropic' }).chat?.masked).toBeUndefined();
  });

  it('goes to an address through the address bar, and skips what no shape can do honestly', () => {
    const go: Action = { ...base(0), kind: 'navigate', via: 'load', url: 'http://samples.test/shop/', title: 'Shop', cause: 'direct' };
    expect(calls(answer(go, { shape: 'anthropic' }).last)).toEqual([
      { action: 'key', text: 'ctrl+l' },
      { action: 'type', text: 'http://samples.test/shop/' },
      { action: 'key', text: 'Return' },
    ]);
    expect(calls(answer(go, { shape: 'openai' }).last)).toEqual([{ type: 'keypress', keys: ['CTRL', 'L'] }, { type: 'type', text: 'http://samples.test/shop/' }, { type: 'keypress', keys: ['ENTER'] }]);

    const select: Action = { ...base(0), kind: 'select', value: 'team', target: { tag: 'select', selector: '#plan' } };
    const back: Action = { ...go, via: 'pop', cause: 'history' };
    const initial: Action = { ...go, cause: 'initial' };
    const switched: Action = { ...base(0), kind: 'switch', app: 'editor' };
    for (const shape of SHAPES) {
      for (const a of [select, back, initial, switched]) expect(answer(a, { shape, web: true }).summary).toEqual({ records: 0, masked: 0, skipped: 1, skippedKinds: { [a.kind]: 1 } });
    }
  });

  it('waits for the recorded time where the shape has a duration', () => {
    const wait: Action = { ...base(0), kind: 'wait', duration: 4270 };
    expect(calls(answer(wait, { shape: 'anthropic' }).last)).toEqual([{ action: 'wait', duration: 4.3 }]);
    expect(calls(answer(wait, { shape: 'openai' }).last)).toEqual([{ type: 'wait' }]);
    expect(answer(wait, { shape: 'pyautogui', web: true }).last).toEqual({ role: 'assistant', content: 'time.sleep(4.3)' });
  });
});

describe('chat records: the conversation', () => {
  const steps: Action[] = [
    click,
    { ...base(1), kind: 'type', text: 'Ada', target },
    { ...base(2), kind: 'select', value: 'team', target: { tag: 'select', selector: '#plan' } },
    { ...base(3), kind: 'key', key: 'tab' },
    { ...base(4), kind: 'hotkey', keys: ['ctrl', 's'], combo: 'ctrl+s', command: 'ctrl' },
  ];

  it('tells the role, the screen size, the task and the observation before the first action shown', () => {
    const { chats } = collect(episode(steps), { shape: 'anthropic' });
    const first = chats[0]!;
    expect(first.id).toBe('ep-1/0');
    expect(first.tools).toEqual([{ type: 'computer_20250124', name: 'computer', display_width_px: 1600, display_height_px: 1200 }]);
    expect(first.messages[0]).toMatchObject({ role: 'system' });
    expect(content(first.messages[0])).toContain('1600×1200 pixels');
    expect(first.messages[1]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'Task: Fill in the form' },
        { type: 'text', text: 'Page: Page 0\nURL: http://samples.test/p0\nViewport: 1600×1200 pixels' },
      ],
    });
    expect(first.messages).toHaveLength(3);

    const untold = collect(episode(steps, { task: null }), { shape: 'openai' }).chats[0]!;
    expect(parts(untold.messages[1])[0]).toEqual({ type: 'text', text: CONTINUE_TASK });
    expect(untold.tools).toEqual([{ type: 'computer_use_preview', display_width: 1600, display_height: 1200, environment: 'browser' }]);
  });

  it('shows earlier actions, each answered by the observation that followed, and leaves skipped steps out', () => {
    const { chats, summary } = collect(episode(steps), { shape: 'anthropic' });
    expect(summary).toEqual({ records: 4, masked: 0, skipped: 1, skippedKinds: { select: 1 } });
    expect(chats.map((c) => c.step)).toEqual([0, 1, 3, 4]);
    const last = chats.at(-1)!;
    expect(last.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'tool', 'assistant', 'tool', 'assistant']);
    const results = last.messages.filter((m): m is Extract<ChatMessage, { role: 'tool' }> => m.role === 'tool');
    // The click is followed by page 1 (before typing); the typing by page 3 (before tab: the select was skipped); tab by page 4.
    expect(results.map((m) => m.tool_call_id)).toEqual(['toolu_0_0', 'toolu_1_0', 'toolu_3_0']);
    expect(results.map((m) => (m.content[0]?.type === 'text' ? m.content[0].text.split('\n')[0] : ''))).toEqual(['Page: Page 1', 'Page: Page 3', 'Page: Page 4']);
    expect(calls(last.messages.at(-1)!)).toEqual([{ action: 'key', text: 'ctrl+s' }]);
  });

  it('keeps a window of the last `history` actions, starting the conversation at the window’s first observation', () => {
    const { chats } = collect(episode(steps), { shape: 'openai', history: 1 });
    const last = chats.at(-1)!;
    expect(last.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant']);
    expect(parts(last.messages[1])[1]).toMatchObject({ text: expect.stringMatching(/^Page: Page 3/) });
    expect(collect(episode(steps), { shape: 'openai', history: 0 }).chats.every((c) => c.messages.length === 3)).toBe(true);
    expect(() => collect(episode(steps), { shape: 'openai', history: -1 })).toThrow(/non-negative integer/);
  });

  it('answers with code and shows the next observation as the user’s turn in the pyautogui shape', () => {
    const { chats } = collect(episode(steps), { shape: 'pyautogui', web: true });
    const last = chats.at(-1)!;
    expect(last.tools).toBeUndefined();
    expect(last.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
    expect(last.messages.at(-1)).toEqual({ role: 'assistant', content: 'pyautogui.hotkey("ctrl", "s")' });
  });

  it('leaves web episodes out of the pyautogui shape unless asked, counting their steps as skipped', () => {
    expect(collect(episode(steps), { shape: 'pyautogui' })).toEqual({ chats: [], summary: { records: 0, masked: 0, skipped: 5, skippedKinds: { click: 1, type: 1, select: 1, key: 1, hotkey: 1 } } });
  });

  it('shows a desktop screenshot as an image placeholder', () => {
    const desktop = episode([click], { platform: 'desktop' });
    desktop.steps[0]!.observation = { kind: 'screenshot', seq: 0, t: 0, settled: false, id: 'shot-17' };
    const chat = collect(desktop, { shape: 'pyautogui' }).chats[0]!;
    expect(content(chat.messages[0])).toContain('screenshot');
    expect(parts(chat.messages[1]).slice(1)).toEqual([
      { type: 'text', text: 'Screenshot shot-17\n(The screen was still changing.)' },
      { type: 'image', screenshot: 'shot-17' },
    ]);
  });
});

describe('chat records of the recorded task suite', () => {
  it.each(SHAPES)('%s: one record per expressible step, every conversation well formed', async (shape) => {
    let records = 0;
    let masked = 0;
    for (const { name, goal } of suite) {
      const record = await fixtureRecord(name, goal);
      const { chats, summary } = collect(record, { shape, web: true });
      expect(summary.records + summary.skipped).toBe(record.steps.length);
      expect(chats).toHaveLength(summary.records);
      records += summary.records;
      masked += summary.masked;
      for (const chat of chats) {
        const [system, user, ...rest] = chat.messages;
        expect(system?.role).toBe('system');
        expect(user).toMatchObject({ role: 'user', content: [{ type: 'text', text: `Task: ${goal}` }, { type: 'text' }] });
        const answers = rest.filter((m) => m.role === 'assistant');
        expect(answers.length).toBeGreaterThanOrEqual(1);
        expect(answers.length).toBeLessThanOrEqual(9);
        expect(rest.at(-1)?.role).toBe('assistant');
        // Every tool call is answered, in order, before the next assistant turn.
        const open: string[] = [];
        for (const m of rest) {
          if ('tool_calls' in m) {
            expect(open).toEqual([]);
            open.push(...m.tool_calls.map((c) => (c.type === 'tool_use' ? c.id : c.call_id)));
          } else if (m.role === 'tool') expect(m.tool_call_id).toBe(open.shift());
        }
        expect(open.length).toBe(shape === 'pyautogui' ? 0 : calls(rest.at(-1)!).length);
        expect(JSON.stringify(chat).includes(MASKED_TEXT)).toBe(chat.masked === true || rest.slice(0, -1).some((m) => JSON.stringify(m).includes(MASKED_TEXT)));
      }
    }
    expect(records).toBeGreaterThan(50);
    // signup-fill types a password.
    expect(masked).toBeGreaterThanOrEqual(1);
  });

  it('agrees with pyautogui code of the vocab module step by step', async () => {
    const { name, goal } = suite.find((t) => t.name === 'editor-bold-save')!;
    const record = await fixtureRecord(name, goal);
    const { chats } = collect(record, { shape: 'pyautogui', web: true });
    for (const chat of chats) {
      const a = record.steps[chat.step]!.action;
      expect(toComputer13(a)).not.toBeNull();
      expect(chat.messages.at(-1)).toEqual({ role: 'assistant', content: actionPyautogui(a) });
    }
  });
});
