// What the agent may record right now, and of which window: the program's allow-list (apps and
// window titles), whether screenshots are on, and which windows look like credential prompts.
// Decided on the device, before anything is kept: a window outside the allow-list leaves only an
// `away` marker, a credential prompt leaves no key at all.

/** The program's desktop settings, as the server's device state gives them. */
export interface CaptureSettings {
  /** Application classes (X11 WM_CLASS class) that are recorded, compared without case. Empty: none. */
  apps: readonly string[];
  /** Title patterns (see titleMatches); empty: any title of an allowed app. */
  titles: readonly string[];
  /** Screenshots of the active window. */
  screenshots: boolean;
}

export const NOTHING: CaptureSettings = Object.freeze({ apps: [], titles: [], screenshots: false });

/**
 * A title pattern, as the server defines it (domain/desktop.ts): it matches the whole title,
 * without case, `*` standing for any run of characters and everything else for itself
 * (`ticket-*`, `* — Visual Studio Code`, `*invoice*`).
 */
export function titleMatches(pattern: string, title: string): boolean {
  const p = pattern.toLowerCase();
  const t = title.toLowerCase();
  if (!p.includes('*')) return t === p;
  const parts = p.split('*');
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (!t.startsWith(first)) return false;
  let at = first.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = t.indexOf(parts[i]!, at);
    if (found < 0) return false;
    at = found + parts[i]!.length;
  }
  return t.length - last.length >= at && t.endsWith(last);
}

/** The window is one the program records. */
export function isAllowed(settings: CaptureSettings, app: string, title: string): boolean {
  const a = app.toLowerCase();
  if (!settings.apps.some((x) => x.toLowerCase() === a)) return false;
  return settings.titles.length === 0 || settings.titles.some((p) => titleMatches(p, title));
}

/** Applications that exist to ask for or hold credentials: nothing typed in them is kept. */
const CREDENTIAL_APPS = new Set([
  'pinentry',
  'pinentry-gtk-2',
  'pinentry-gnome3',
  'pinentry-qt',
  'gcr-prompter',
  'ssh-askpass',
  'x11-ssh-askpass',
  'ksshaskpass',
  'polkit-gnome-authentication-agent-1',
  'polkit-kde-authentication-agent-1',
  'lxpolkit',
  'seahorse',
  'kwalletmanager5',
  'kwalletd5',
  'keepassxc',
  'keepass2',
  '1password',
  'bitwarden',
  'enpass',
  'lastpass',
  'dashlane',
  'keeweb',
  'gnome-keyring',
]);

/**
 * Window titles that ask for a secret: password, passphrase, PIN, sudo, ssh, keychain and
 * keyring, one-time and verification codes, password managers by name. Whole words, any case.
 */
const CREDENTIAL_TITLE =
  /\b(pass(word|phrase|code)s?|pin|sudo|su|ssh|doas|pkexec|keychain|keyring|wallet|unlock|authenticat(e|ion|or)|one[- ]time|otp|2fa|mfa|verification code|security code|credentials?|log ?in|sign ?in|1password|bitwarden|keepass(xc)?|lastpass|dashlane|enpass)\b/i;

/** The window looks like a credential prompt (or a password manager): its keys carry nothing. */
export function isCredentialPrompt(app: string, title: string): boolean {
  return CREDENTIAL_APPS.has(app.toLowerCase()) || CREDENTIAL_TITLE.test(title);
}
