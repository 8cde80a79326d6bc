// Exports of desktop episodes: the trajectory record (platform, apps, masked window titles,
// screenshot references), its JSON Schema, the chat and step-row writers, the dataset card, and
// the Playwright writer's refusal. A credential prompt's keys leave no text in any of them.
import { describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import committed from '../../schema/trajectory-v1.schema.json' with { type: 'json' };
import { CaptureEvent } from '@lockstep/schema';
import { describeAction } from '../describe.ts';
import { PINENTRY, XTERM, sudoSession, xtermSession } from '../testing-desktop.ts';
import { buildTrajectory } from './build.ts';
import type { BuildOptions } from './build.ts';
import { createCard } from './card.ts';
import { MASKED_TEXT, chatRecords } from './chat.ts';
import type { ChatOptions, ChatRecord } from './chat.ts';
import { toJsonlLine } from './jsonl.ts';
import { toPlaywrightScript } from './playwright.ts';
import { TrajectoryRecord } from './record.ts';
import { stepRows } from './rows.ts';

const base: BuildOptions = { id: 'ep-1', subject: 'subject-1', task: 'Look at the logs and note what to do' };
const events = xtermSession().map((e) => CaptureEvent.parse(e));
const golden = async (name = 'desktop-xterm'): Promise<string[]> => ((await import(`../../fixtures/${name}.actions.txt?raw`)) as { default: string }).default.trimEnd().split('\n');
const chats = (record: TrajectoryRecord, opts: ChatOptions): ChatRecord[] => {
  const out: ChatRecord[] = [];
  const it = chatRecords(record, opts);
  for (let r = it.next(); !r.done; r = it.next()) out.push(r.value);
  return out;
};

describe('the record of a desktop episode', () => {
  it('is a desktop record whose steps are the golden actions the person made', async () => {
    const record = buildTrajectory(events, { ...base, maskPageText: false });
    expect(TrajectoryRecord.parse(record)).toEqual(record);
    expect(record).toMatchObject({ platform: 'desktop', apps: ['xterm', 'code'], screen: { width: 1920, height: 1080, dpr: 1 }, events: events.length });
    expect(record).not.toHaveProperty('final');
    // The switch to VS Code was the click's consequence: not a step, as caused navigations are not.
    const person = (await golden()).filter((line) => !line.endsWith('(action)'));
    expect(record.steps.map((s) => describeAction(s.action))).toEqual(person);
    expect(record.counts).toEqual({ switch: 2, type: 4, key: 4, wait: 1, hotkey: 2, click: 2, double_click: 1, right_click: 1, drag: 1, scroll: 1 });
  });

  it('names screenshots by id in its own seq numbering and carries no image', () => {
    const record = buildTrajectory(events, base);
    const shots = record.steps.flatMap((s) => (s.observation?.kind === 'screenshot' ? [s.observation] : []));
    expect(shots.length).toBeGreaterThan(10);
    for (const o of shots) {
      expect(o.id).toBe(`frame-${o.seq}`);
      // The seq names the frame event of the episode it was taken from.
      expect(events[o.seq]).toMatchObject({ type: 'frame', box: o.box, width: o.width, height: o.height });
    }
    const frame = events.find((e) => e.type === 'frame')!;
    expect(toJsonlLine(record)).not.toContain(frame.type === 'frame' ? frame.data : '?');
    // The same episode later in its session gives the same record, ids included.
    const later = events.map((e) => ({ ...e, seq: e.seq + 700, t: e.t + 90_000 }));
    expect(buildTrajectory(later, base)).toEqual(record);
  });

  it('masks window titles to their shape, in switches and in window targets, unless page text is allowed', () => {
    const line = toJsonlLine(buildTrajectory(events, base));
    expect(line).not.toMatch(/alice|notes\.md|Visual Studio/);
    expect(line).toContain('"title":"xxxxx@xxx: ~"');
    expect(line).toContain('"name":"● xxxxx.xx - Xxxxxx Xxxxxx Xxxx"');
    // App classes stay: they say which program was used.
    expect(line).toContain('"selector":"xterm"');
    expect(toJsonlLine(buildTrajectory(events, { ...base, maskPageText: false }))).toContain('"name":"alice@dev: ~"');
  });

  it('validates against the published JSON Schema', () => {
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(committed);
    for (const record of [buildTrajectory(events, base), buildTrajectory(sudoSession(), base)]) {
      expect(validate(JSON.parse(JSON.stringify(record))), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('is desktop with window events even when no step has a screenshot, and starts from a context window', () => {
    const windows = events.filter((e) => e.type !== 'frame');
    expect(buildTrajectory(windows, base).platform).toBe('desktop');
    // An episode cut after the first window event: the context's window is where it starts.
    const cut = events.findIndex((e) => e.type === 'key');
    const record = buildTrajectory(events.slice(cut), { ...base, context: events.slice(0, cut) });
    expect(record.apps[0]).toBe('xterm');
    expect(record.steps[0]!.action).toMatchObject({ kind: 'type', text: 'ls -la' });
    expect(record.screen).toEqual({ width: 1920, height: 1080, dpr: 1 });
  });
});

describe('desktop episodes in the other writers', () => {
  it('chat: a desktop agent shown screenshots with their place on screen, answering in screen pixels', () => {
    const record = buildTrajectory(events, base);
    const pyautogui = chats(record, { shape: 'pyautogui' });
    // No web opt-in needed: desktop coordinates are the screen's. Switches and the wait's sleep aside, every step.
    const answers = pyautogui.map((c) => c.messages.at(-1)!).map((m) => ('content' in m ? m.content : ''));
    expect(answers.slice(0, 6)).toEqual(['pyautogui.write("ls -la")', 'pyautogui.press("enter")', 'pyautogui.write("tail -f app.log")', 'pyautogui.press("enter")', 'time.sleep(5.3)', 'pyautogui.hotkey("ctrl", "c")']);
    expect(answers).toContain('pyautogui.click(300, 700, button="left")');
    const system = pyautogui[0]!.messages[0]!;
    expect('content' in system && system.content).toContain('desktop computer');
    expect(JSON.stringify(pyautogui[1]!.messages[1])).toMatch(/Screenshot frame-\d+: the window at 0,0 on the screen, 960×1080 pixels/);
    const anthropic = chats(record, { shape: 'anthropic' });
    expect(anthropic[0]!.tools).toEqual([{ type: 'computer_20250124', name: 'computer', display_width_px: 1920, display_height_px: 1080 }]);
    const openai = chats(record, { shape: 'openai' });
    expect(openai[0]!.tools).toEqual([{ type: 'computer_use_preview', display_width: 1920, display_height: 1080, environment: 'linux' }]);
  });

  it('step rows: screen pixels, screenshot ids, and the window a switch went to', () => {
    const rows = stepRows(buildTrajectory(events, { ...base, maskPageText: false }));
    const click = rows.find((r) => r.kind === 'click')!;
    expect(click).toMatchObject({ platform: 'desktop', x: 300, y: 700, target_tag: 'window', target_selector: 'xterm', screen_width: 1920, pyautogui: 'pyautogui.click(300, 700, button="left")' });
    expect(click.obs_screenshot).toMatch(/^frame-\d+$/);
    expect(rows.filter((r) => r.kind === 'switch').map((r) => [r.cause, r.target_selector, r.target_name])).toEqual([
      ['initial', 'xterm', 'alice@dev: ~'],
      ['return', 'xterm', 'alice@dev: ~'],
    ]);
  });

  it('the dataset card counts the episode as desktop, with its applications', () => {
    const card = createCard({ export: 'x-1', program: 'Ops', purpose: 'evaluation', grant: 'g-1', date: '2024-07-01', formats: ['jsonl'] });
    card.add(buildTrajectory(events, base));
    expect(card.json()).toMatchObject({ platforms: { desktop: 1 }, sites: [], apps: [{ name: 'code', episodes: 1 }, { name: 'xterm', episodes: 1 }] });
  });

  it('the Playwright writer refuses a desktop episode, saying it replays web episodes only', () => {
    expect(() => toPlaywrightScript(buildTrajectory(events, base))).toThrow(/ep-1.*only web episodes can be replayed in a browser \(this one is desktop\)/);
  });
});

describe('a credential prompt', () => {
  // The agent masks a credential prompt's keys; here it also failed to, once: the characters
  // must not come through either way.
  const leaky = (() => {
    const s = sudoSession();
    const i = s.findIndex((e) => e.type === 'window' && e.app === PINENTRY.app);
    const after = s.slice(i).map((e) => (e.type === 'key' && e.key === 'Unidentified' ? { ...e, key: 'q', code: 'KeyQ', char: 'q', masked: undefined } : e));
    return [...s.slice(0, i), ...after].map((e) => CaptureEvent.parse(JSON.parse(JSON.stringify(e))));
  })();

  it.each([
    ['masked keys', sudoSession()],
    ['keys the agent failed to mask', leaky],
  ])('%s: the typing is a masked step, with no text in the record, chats or rows', (_, session) => {
    const record = buildTrajectory(session, { ...base, maskPageText: false });
    const typed = record.steps.filter((s) => s.action.kind === 'type').map((s) => s.action);
    expect(typed).toMatchObject([{ text: 'sudo apt update' }, { masked: true, target: { selector: PINENTRY.app, masked: true } }]);
    expect(typed[1]).not.toHaveProperty('text');
    const outputs = [
      toJsonlLine(record),
      ...(['pyautogui', 'anthropic', 'openai'] as const).flatMap((shape) => chats(record, { shape }).map((c) => JSON.stringify(c))),
      JSON.stringify(stepRows(record)),
    ];
    for (const out of outputs) expect(out).not.toMatch(/"q"|qqq|'q'/);
    const answer = chats(record, { shape: 'pyautogui' }).find((c) => c.masked)!;
    expect(answer.messages.at(-1)).toEqual({ role: 'assistant', content: `pyautogui.write("${MASKED_TEXT}")` });
    expect(stepRows(record).find((r) => r.masked)).toMatchObject({ text: null, computer13: null, pyautogui: null, target_selector: PINENTRY.app });
  });

  it('its window title is masked in the record by default', () => {
    const line = toJsonlLine(buildTrajectory(sudoSession(), base));
    expect(line).not.toContain('alice');
    expect(line).not.toContain(XTERM.title);
  });
});
