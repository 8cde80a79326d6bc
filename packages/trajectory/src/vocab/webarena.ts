// Actions → WebArena-style element commands (`click [id]`, `type [id] [text] [1]`, `press
// [key_comb]`, `scroll [down]`, `goto [url]`, `go_back`, `tab_focus [n]`, `stop [answer]`).
// WebArena's ids are accessibility-tree node ids of one observation; a recording has no such
// tree, so the element is named by its selector (default) or by its role and name.
import type { Target } from '@lockstep/schema';
import type { Action } from '../actions.ts';

export interface WebArenaOptions {
  /** How an element is named inside the brackets. */
  element?: 'selector' | 'role-name';
}

const PLAYWRIGHT_KEYS: Record<string, string> = {
  enter: 'Enter',
  tab: 'Tab',
  escape: 'Escape',
  backspace: 'Backspace',
  delete: 'Delete',
  space: 'Space',
  left: 'ArrowLeft',
  right: 'ArrowRight',
  up: 'ArrowUp',
  down: 'ArrowDown',
  home: 'Home',
  end: 'End',
  pageup: 'PageUp',
  pagedown: 'PageDown',
  insert: 'Insert',
  ctrl: 'Control',
  alt: 'Alt',
  shift: 'Shift',
  meta: 'Meta',
};

/** A canonical key name as Playwright (and so WebArena's `press`) names it. */
export function playwrightKey(name: string): string {
  const k = PLAYWRIGHT_KEYS[name];
  if (k) return k;
  if (/^f\d{1,2}$/.test(name)) return name.toUpperCase();
  return name;
}

function ref(t: Target | undefined, how: WebArenaOptions['element']): string | null {
  // A desktop window is no page element: WebArena has no command for it.
  if (!t || t.tag === 'window') return null;
  if (how === 'role-name' && t.role && t.name) return `[${t.role} ${JSON.stringify(t.name)}]`;
  return `[${t.selector}]`;
}

/**
 * Actions → WebArena commands, one string per command. A `type` followed by Enter on the same
 * field becomes one command with press_enter_after = 1. Actions with no equivalent are left out
 * and reported in `unmapped` (their indexes in `actions`).
 */
export function toWebArena(actions: readonly Action[], opts: WebArenaOptions = {}): { commands: string[]; unmapped: number[] } {
  const how = opts.element ?? 'selector';
  const commands: string[] = [];
  const unmapped: number[] = [];
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i]!;
    const out = (s: string | null): void => {
      if (s === null) unmapped.push(i);
      else commands.push(s);
    };
    switch (a.kind) {
      case 'click': {
        const r = ref(a.target, how);
        out(a.button === 'left' && a.count === undefined && !a.mods && r ? `click ${r}` : null);
        break;
      }
      case 'type': {
        const r = ref(a.target, how);
        if (!r || a.masked || a.text === undefined) {
          out(null);
          break;
        }
        const next = actions[i + 1];
        const enter = next?.kind === 'key' && next.key === 'enter' && next.count === undefined;
        commands.push(`type ${r} [${a.text}] [${enter ? 1 : 0}]`);
        if (enter) i++;
        break;
      }
      case 'key':
        for (let n = 0; n < (a.count ?? 1); n++) commands.push(`press [${playwrightKey(a.key)}]`);
        break;
      case 'hotkey':
        for (let n = 0; n < (a.count ?? 1); n++) commands.push(`press [${a.keys.map(playwrightKey).join('+')}]`);
        break;
      case 'scroll':
        out(a.direction === 'up' || a.direction === 'down' ? `scroll [${a.direction}]` : null);
        break;
      case 'navigate':
        if (a.cause === 'direct') commands.push(`goto [${a.url}]`);
        else if (a.cause === 'history') commands.push('go_back');
        break;
      case 'switch':
        if (a.cause === 'action' || a.cause === 'initial') break;
        out(a.tab !== undefined ? `tab_focus [${a.tab}]` : null);
        break;
      case 'double_click':
      case 'right_click':
      case 'drag':
      case 'select':
      case 'wait':
        out(null);
        break;
    }
  }
  return { commands, unmapped };
}

/** The closing command of an episode. */
export const webArenaStop = (answer = ''): string => `stop [${answer}]`;
