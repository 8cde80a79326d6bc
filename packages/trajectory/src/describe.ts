// A one-line, human-readable form of an action: what a person would write down. Used by the
// golden files of the recorded task suite, so it leaves out what varies between recordings of
// the same task (times, exact coordinates, the sample server's port).
import type { Target } from '@lockstep/schema';
import type { Action } from './actions.ts';

export interface DescribeOptions {
  /** Turns URLs into what the description shows (default: unchanged). */
  url?: (url: string) => string;
}

function element(t: Target | undefined): string {
  if (!t) return '(nothing)';
  const parts: string[] = [];
  parts.push(t.role ?? t.tag);
  if (t.name) parts.push(JSON.stringify(t.name));
  parts.push(t.selector);
  if (t.masked) parts.push('[masked]');
  return parts.join(' ');
}

const mods = (m: readonly string[] | undefined): string => (m && m.length > 0 ? `${m.join('+')}+` : '');

export function describeAction(a: Action, opts: DescribeOptions = {}): string {
  const url = opts.url ?? ((u: string) => u);
  switch (a.kind) {
    case 'click':
      return `${mods(a.mods)}${a.count === 3 ? 'triple_click' : 'click'}${a.button === 'middle' ? ' middle' : ''} ${element(a.target)}`;
    case 'double_click':
    case 'right_click':
      return `${mods(a.mods)}${a.kind} ${element(a.target)}`;
    case 'drag':
      return `${mods(a.mods)}drag (${a.via}) ${element(a.target)} → ${element(a.endTarget)}`;
    case 'scroll':
      return `${mods(a.mods)}scroll ${a.direction} ${Math.round(Math.abs(a.direction === 'up' || a.direction === 'down' ? a.dy : a.dx))}px ${a.container ? `in ${element(a.container)}` : a.target?.tag === 'window' ? `in ${element(a.target)}` : 'the page'}`;
    case 'type': {
      const text = a.masked ? '[masked]' : JSON.stringify(a.text ?? '');
      const prior = a.prior !== undefined ? ` (was ${JSON.stringify(a.prior)})` : '';
      const red = a.redactions ? ` redacted:${a.redactions.map((r) => r.kind).join(',')}` : '';
      return `type ${text}${prior}${red} into ${element(a.target)}`;
    }
    case 'select':
      return `select ${a.masked ? '[masked]' : JSON.stringify(a.value ?? '')} in ${element(a.target)}`;
    case 'key':
      return `key ${a.key}${a.count ? ` ×${a.count}` : ''}`;
    case 'hotkey':
      return `hotkey ${a.combo}${a.count ? ` ×${a.count}` : ''}`;
    case 'navigate':
      return `navigate ${a.via} ${url(a.url)} ${JSON.stringify(a.title)} (${a.cause})`;
    case 'switch':
      return `switch ${a.app ?? ''}${a.tab !== undefined ? ` tab ${a.tab}` : ''}${a.title ? ` ${JSON.stringify(a.title)}` : ''}${a.cause ? ` (${a.cause})` : ''}`.trim();
    case 'wait':
      return 'wait';
  }
}

export function describeActions(actions: readonly Action[], opts: DescribeOptions = {}): string {
  return actions.map((a) => describeAction(a, opts)).join('\n') + '\n';
}
