// The recording badge: a small fixed element in a closed shadow root, so that page CSS and
// scripts cannot restyle or read it. It shows whether recording is on; clicking it toggles pause.
import type { Off } from './dom.ts';

export const BADGE_TAG = 'lockstep-badge';

const STYLE = `
:host { all: initial !important; position: fixed !important; right: 12px !important; bottom: 12px !important;
  z-index: 2147483647 !important; display: block !important; }
button { font: 600 12px/1 system-ui, sans-serif; color: #fff; background: #c62828; border: 0; border-radius: 12px;
  padding: 6px 10px; cursor: pointer; box-shadow: 0 1px 4px rgba(0,0,0,.35); opacity: .92; }
button.paused { background: #555; }
button:focus-visible { outline: 2px solid #fff; outline-offset: 1px; }
`;

export interface Badge {
  /** The host element; events on it are not recorded. */
  readonly host: HTMLElement;
  set(paused: boolean): void;
  /** Redaction could not run: the badge says that typed text is no longer recorded. */
  failed(): void;
  remove(): void;
}

export function createBadge(onClick: () => void): Badge {
  const host = document.createElement(BADGE_TAG);
  const root = host.attachShadow({ mode: 'closed' });
  const style = document.createElement('style');
  style.textContent = STYLE;
  const button = document.createElement('button');
  button.type = 'button';
  button.title = 'Lockstep is recording this tab. Click, or press Alt+Shift+P, to pause or resume.';
  button.addEventListener('click', (ev) => {
    ev.stopPropagation();
    try {
      onClick();
    } catch {
      // never into the page
    }
  });
  root.append(style, button);

  let textOff = false;
  const set = (paused: boolean): void => {
    button.textContent = (paused ? '❚❚ Paused' : '● Recording') + (textOff ? ' · text off' : '');
    button.className = paused ? 'paused' : '';
    button.setAttribute('aria-label', (paused ? 'Lockstep recording paused. Click to resume.' : 'Lockstep is recording. Click to pause.') + (textOff ? ' Redaction failed: typed text is not recorded.' : ''));
  };
  set(false);
  let pausedNow = false;
  const setState = (paused: boolean): void => {
    pausedNow = paused;
    set(paused);
  };

  // Init scripts run before <html> exists: attach once it does.
  let offReady: Off | undefined;
  const attach = (): void => {
    if (!host.isConnected && document.documentElement) document.documentElement.appendChild(host);
  };
  if (document.documentElement) attach();
  else {
    const onReady = (): void => {
      if (!document.documentElement) return;
      offReady?.();
      attach();
    };
    document.addEventListener('readystatechange', onReady);
    document.addEventListener('DOMContentLoaded', onReady);
    offReady = () => {
      document.removeEventListener('readystatechange', onReady);
      document.removeEventListener('DOMContentLoaded', onReady);
    };
  }

  return {
    host,
    set: setState,
    failed: () => {
      textOff = true;
      button.dataset.redaction = 'failed';
      button.title = 'Lockstep could not redact typed text on this device, so it stopped recording text (keys and field values). Click, or press Alt+Shift+P, to pause or resume.';
      set(pausedNow);
    },
    remove: () => {
      offReady?.();
      host.remove();
    },
  };
}
