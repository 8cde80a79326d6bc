// Synthetic desktop recordings for this package's tests: the events the desktop agent sends
// (packages/schema events.ts), built key by key and press by press the way an OS input hook
// reports them: key down/up with DOM-style `key`, `code` and `char`, no targets; pointer down, up
// and then click; moves that do not say which buttons are held; wheel deltas in pixels; a
// `window` event when the focused window changes, a `frame` (screenshot of that window) in the
// quiet moment before an action; screen pixels throughout.
import type { Box, CaptureEvent, Modifiers } from '@lockstep/schema';

export const DESKTOP_SCREEN = { width: 1920, height: 1080 } as const;

export interface DesktopWindow {
  app: string;
  title: string;
  bounds: Box;
  credential?: true;
}

/** xterm on the left half of the screen, VS Code on the right half. */
export const XTERM: DesktopWindow = { app: 'xterm', title: 'alice@dev: ~', bounds: { x: 0, y: 0, w: 960, h: 1080 } };
export const CODE: DesktopWindow = { app: 'code', title: '● notes.md - Visual Studio Code', bounds: { x: 960, y: 0, w: 960, h: 1080 } };
/** A passphrase prompt in the middle of the screen. */
export const PINENTRY: DesktopWindow = { app: 'pinentry-gtk-2', title: '[sudo] password for alice', bounds: { x: 760, y: 440, w: 400, h: 200 }, credential: true };

const NO: Modifiers = { alt: false, ctrl: false, meta: false, shift: false };

/** The physical key (DOM `code`) of a character on a US layout, and whether Shift makes it. */
const SHIFTED = '~!@#$%^&*()_+{}|:"<>?';
const UNSHIFTED = '`1234567890-=[]\\;\',./';
const PUNCTUATION_CODES = ['Backquote', 'Digit1', 'Digit2', 'Digit3', 'Digit4', 'Digit5', 'Digit6', 'Digit7', 'Digit8', 'Digit9', 'Digit0', 'Minus', 'Equal', 'BracketLeft', 'BracketRight', 'Backslash', 'Semicolon', 'Quote', 'Comma', 'Period', 'Slash'];

function codeOf(ch: string): { code: string; shift: boolean } {
  if (/^[a-z]$/.test(ch)) return { code: `Key${ch.toUpperCase()}`, shift: false };
  if (/^[A-Z]$/.test(ch)) return { code: `Key${ch}`, shift: true };
  if (ch === ' ') return { code: 'Space', shift: false };
  const u = UNSHIFTED.indexOf(ch);
  if (u >= 0) return { code: PUNCTUATION_CODES[u]!, shift: false };
  const s = SHIFTED.indexOf(ch);
  if (s >= 0) return { code: PUNCTUATION_CODES[s]!, shift: true };
  throw new Error(`no key for ${JSON.stringify(ch)}`);
}

const NAMED_CODES: Record<string, string> = { Control: 'ControlLeft', Shift: 'ShiftLeft', Alt: 'AltLeft', Meta: 'MetaLeft' };

/** A desktop session builder: every call appends events, `dt` ms after the one before. */
export function desktopSession(screen: { width: number; height: number } = DESKTOP_SCREEN) {
  const events: CaptureEvent[] = [];
  let t = 0;
  let focused: DesktopWindow | null = null;
  let mods: Modifiers = { ...NO };
  let pointer = { x: screen.width / 2, y: screen.height / 2 };
  const add = (e: Record<string, unknown>, dt: number): void => {
    t += dt;
    events.push({ seq: events.length, t, ...e } as CaptureEvent);
  };
  add({ type: 'marker', kind: 'start', reason: 'user' }, 0);
  add({ type: 'viewport', width: screen.width, height: screen.height, dpr: 1, scrollX: 0, scrollY: 0 }, 0);

  const keyEvent = (kind: 'down' | 'up', key: string, code: string | undefined, extra: Record<string, unknown>, dt: number): void => {
    add({ type: 'key', kind, key, ...(code ? { code } : {}), mods: { ...mods }, ...extra }, dt);
  };
  const modifier = (name: 'Control' | 'Shift' | 'Alt' | 'Meta', down: boolean, dt: number): void => {
    const flag = ({ Control: 'ctrl', Shift: 'shift', Alt: 'alt', Meta: 'meta' } as const)[name];
    if (down) mods = { ...mods, [flag]: true };
    keyEvent(down ? 'down' : 'up', name, NAMED_CODES[name], {}, dt);
    if (!down) mods = { ...mods, [flag]: false };
  };

  const api = {
    events,
    get t() {
      return t;
    },
    idle(ms: number) {
      t += ms;
      return api;
    },
    /** The focused window changes (or gets a new title). */
    window(w: DesktopWindow, dt = 40) {
      focused = w;
      add({ type: 'window', app: w.app, title: w.title, bounds: { ...w.bounds }, ...(w.credential ? { credential: true } : {}) }, dt);
      return api;
    },
    /** A screenshot of the focused window, downscaled to half its size. */
    frame(dt = 300) {
      if (!focused) throw new Error('no window to take a screenshot of');
      const b = focused.bounds;
      add({ type: 'frame', format: 'jpeg', width: Math.round(b.w / 2), height: Math.round(b.h / 2), box: { ...b }, data: '/9j/4AAQSkZJRgABAQ==' }, dt);
      return api;
    },
    marker(kind: 'away' | 'gap' | 'pause' | 'resume' | 'stop', dt = 100, reason?: string) {
      add({ type: 'marker', kind, ...(reason ? { reason } : {}) }, dt);
      return api;
    },
    /** Types text key by key (`gap` ms between keys), with Shift around the characters that need it. */
    type(text: string, gap = 110) {
      for (const ch of text) {
        const { code, shift } = codeOf(ch);
        if (shift) modifier('Shift', true, gap / 2);
        keyEvent('down', ch, code, { char: ch }, shift ? 30 : gap);
        keyEvent('up', ch, code, {}, 60);
        if (shift) modifier('Shift', false, 20);
      }
      return api;
    },
    /** A named key (`Enter`, `Backspace`, `ArrowLeft`…) pressed `times` times. */
    press(key: string, times = 1, gap = 150) {
      for (let i = 0; i < times; i++) {
        keyEvent('down', key, key, {}, gap);
        keyEvent('up', key, key, {}, 70);
      }
      return api;
    },
    /** A hotkey: modifiers down, the key, the modifiers up (`hotkey(['Control'], 'c')`). */
    hotkey(held: ('Control' | 'Shift' | 'Alt' | 'Meta')[], key: string, gap = 200) {
      held.forEach((m, i) => modifier(m, true, i === 0 ? gap : 40));
      const code = key.length === 1 ? codeOf(key).code : key;
      keyEvent('down', key, code, {}, 60);
      keyEvent('up', key, code, {}, 70);
      for (const m of [...held].reverse()) modifier(m, false, 30);
      return api;
    },
    /** Keys a credential prompt reports: masked, with nothing that tells which key it was. */
    maskedKeys(n: number, gap = 120) {
      for (let i = 0; i < n; i++) {
        keyEvent('down', 'Unidentified', undefined, { masked: true }, gap);
        keyEvent('up', 'Unidentified', undefined, { masked: true }, 60);
      }
      return api;
    },
    /** Keys of a secret the on-device redactor masked as they were typed (shape style). */
    redactedKeys(shape: string, kind: string, family: 'secret' | 'pii' = 'secret', gap = 110) {
      for (const ch of shape) {
        keyEvent('down', ch, undefined, { char: ch, redacted: { kind, family } }, gap);
        keyEvent('up', ch, undefined, { redacted: { kind, family } }, 60);
      }
      return api;
    },
    /** The pointer moves to (x, y) in `steps` moves (no `buttons`, as the hook reports them). */
    moveTo(x: number, y: number, steps = 4, dt = 16) {
      const from = pointer;
      for (let i = 1; i <= steps; i++) add({ type: 'pointer', kind: 'move', x: Math.round(from.x + ((x - from.x) * i) / steps), y: Math.round(from.y + ((y - from.y) * i) / steps) }, dt);
      pointer = { x, y };
      return api;
    },
    down(button = 0, dt = 80) {
      add({ type: 'pointer', kind: 'down', x: pointer.x, y: pointer.y, button, buttons: 1 << (button === 1 ? 2 : button === 2 ? 1 : 0), pointerType: 'mouse', mods: { ...mods } }, dt);
      return api;
    },
    up(button = 0, dt = 90) {
      add({ type: 'pointer', kind: 'up', x: pointer.x, y: pointer.y, button, buttons: 0, pointerType: 'mouse', mods: { ...mods } }, dt);
      return api;
    },
    /** The hook's click, right after the up of a press that did not move. */
    clicked(button = 0, dt = 1) {
      add({ type: 'pointer', kind: 'click', x: pointer.x, y: pointer.y, button, buttons: 0, pointerType: 'mouse', mods: { ...mods } }, dt);
      return api;
    },
    /** Move there, press, release, click. */
    click(x: number, y: number, button = 0) {
      return api.moveTo(x, y).down(button).up(button).clicked(button);
    },
    /** Two clicks in quick succession at the same place. */
    doubleClick(x: number, y: number) {
      return api.moveTo(x, y).down(0).up(0).clicked(0).down(0, 110).up(0).clicked(0);
    },
    /** Press, move along to (x, y), release (no click: the pointer moved). */
    drag(x: number, y: number, steps = 8) {
      api.down(0);
      api.moveTo(x, y, steps, 30);
      return api.up(0, 60);
    },
    /** Wheel notches at the pointer (positive = down), `dyPerNotch` pixels each. */
    wheel(notches: number, dyPerNotch = 100, gap = 60) {
      for (let i = 0; i < Math.abs(notches); i++) add({ type: 'wheel', x: pointer.x, y: pointer.y, dx: 0, dy: Math.sign(notches) * dyPerNotch, mode: 0, mods: { ...mods } }, gap);
      return api;
    },
  };
  return api;
}

/**
 * An xterm session: `ls -lq`, the typo fixed with Backspace, Enter; `tail -f app.log`, Enter,
 * watching it, Ctrl+C; a click in the terminal; a click on VS Code beside it, which brings it
 * forward; a note typed there and saved with Ctrl+S (the title loses its ● mark); away in a window
 * the program does not record; back in the terminal: a double click on a word, a right click and
 * Escape, a drag that selects lines, scrolling back, `exit` and Enter. Frames in the quiet moments
 * before actions.
 */
export function xtermSession(): CaptureEvent[] {
  const s = desktopSession();
  s.window(XTERM).frame(600);
  s.idle(500).type('ls -lq').press('Backspace', 1, 180).type('a', 200).press('Enter', 1, 300);
  s.frame(900).idle(800).type('tail -f app.log').press('Enter', 1, 250);
  s.frame(1500).idle(3500).hotkey(['Control'], 'c');
  s.frame(700).idle(600).click(300, 700);
  s.frame(600).idle(400).moveTo(1400, 400, 6).down().window(CODE, 60).up(0, 50).clicked();
  s.frame(500).idle(700).type('TODO: rotate logs').hotkey(['Control'], 's', 400);
  s.window({ ...CODE, title: 'notes.md - Visual Studio Code' }, 150);
  s.marker('away', 2000);
  s.idle(45_000).window(XTERM, 0).frame(700);
  s.idle(800).doubleClick(210, 300);
  s.frame(600).idle(400).click(210, 300, 2).press('Escape', 1, 500);
  s.frame(500).idle(300).moveTo(40, 500).drag(600, 620);
  s.frame(600).idle(300).moveTo(500, 500).wheel(-3);
  s.frame(700).idle(500).type('exit').press('Enter', 1, 250);
  s.marker('stop', 800, 'user');
  return s.events;
}

/** `sudo apt update` in xterm: a passphrase prompt opens, the passphrase typed into it (masked keys), Enter, back in xterm. */
export function sudoSession(): CaptureEvent[] {
  const s = desktopSession();
  s.window(XTERM).frame(600);
  s.idle(500).type('sudo apt update').press('Enter', 1, 250);
  s.window(PINENTRY, 400).frame(300);
  s.idle(600).maskedKeys(11).press('Backspace', 1, 200).maskedKeys(2).press('Enter', 1, 300);
  s.window(XTERM, 250).frame(800);
  s.marker('stop', 800, 'user');
  return s.events;
}
