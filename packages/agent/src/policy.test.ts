import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { titleRecorded } from '@lockstep/server/desktop';
import { isAllowed, isCredentialPrompt, titleMatches } from './policy.ts';

describe('titleMatches', () => {
  it('matches the whole title without case, * standing for any run of characters (as the server does)', () => {
    expect(titleMatches('*invoice*', 'Invoice 2291 — LibreOffice Calc')).toBe(true);
    expect(titleMatches('*invoice*', 'Budget — LibreOffice Calc')).toBe(false);
    expect(titleMatches('invoice', 'Invoice 2291')).toBe(false);
    expect(titleMatches('bash', 'BASH')).toBe(true);
    expect(titleMatches('* — visual studio code', 'main.ts — repo — Visual Studio Code')).toBe(true);
    expect(titleMatches('* — visual studio code', 'Visual Studio Code — main.ts')).toBe(false);
    expect(titleMatches('ticket-*:*', 'ticket-7: fix login')).toBe(true);
    expect(titleMatches('ticket-*:*', 'my ticket-7: fix')).toBe(false);
    expect(titleMatches('a*a', 'a')).toBe(false);
    expect(titleMatches('*', '')).toBe(true);
  });

  it('agrees with the server on every pattern and title', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'B', '-', ' ', '*', 'é'), maxLength: 8 });
    fc.assert(
      fc.property(text, fc.string({ unit: fc.constantFrom('a', 'b', 'B', '-', ' ', 'É'), maxLength: 10 }), (pattern, title) => {
        expect(titleMatches(pattern, title)).toBe(titleRecorded([pattern], title));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('isAllowed', () => {
  const settings = { apps: ['XTerm', 'code'], titles: [], screenshots: false };
  it('allows the listed app classes whatever their case, and nothing else', () => {
    expect(isAllowed(settings, 'xterm', 'bash')).toBe(true);
    expect(isAllowed(settings, 'Code', 'x')).toBe(true);
    expect(isAllowed(settings, 'firefox', 'Inbox')).toBe(false);
    expect(isAllowed({ apps: [], titles: [], screenshots: false }, 'xterm', 'bash')).toBe(false);
  });
  it('narrows to the title patterns when there are any', () => {
    const narrow = { ...settings, titles: ['build*', '* — project-x'] };
    expect(isAllowed(narrow, 'xterm', 'build logs')).toBe(true);
    expect(isAllowed(narrow, 'code', 'main.ts — project-x')).toBe(true);
    expect(isAllowed(narrow, 'xterm', 'private notes')).toBe(false);
  });
});

describe('isCredentialPrompt', () => {
  it('knows prompts by their title', () => {
    for (const title of ['[sudo] password for ann:', 'Enter passphrase for key', 'ssh ann@build-7', 'Unlock Keychain', 'Authentication Required', 'Enter PIN', 'Sign in — Accounts', 'su - root', 'Verification code']) {
      expect(isCredentialPrompt('xterm', title), title).toBe(true);
    }
  });
  it('knows password managers and askpass programs by their class', () => {
    for (const app of ['KeePassXC', 'pinentry-gtk-2', 'ssh-askpass', '1Password', 'gcr-prompter']) expect(isCredentialPrompt(app, 'Untitled'), app).toBe(true);
  });
  it('leaves ordinary windows alone, including words that only contain a keyword', () => {
    for (const title of ['bash', 'compass heading — notes', 'spinning up builds', 'pseudo code review', 'Inbox (3)']) {
      expect(isCredentialPrompt('xterm', title), title).toBe(false);
    }
  });
});
