// The one place that launches Chromium: the system build, with flags that keep it quiet and
// working in containers.
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = Object.freeze([
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-gpu',
  '--no-first-run',
]);

export interface LaunchOptions {
  /** Defaults to true. */
  headless?: boolean;
  /** More command-line flags, after the standard ones. */
  args?: string[];
  /** Another Chromium binary (defaults to $LOCKSTEP_CHROMIUM, then /usr/bin/chromium). */
  executablePath?: string;
}

export function launchChromium(opts: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: opts.executablePath ?? process.env.LOCKSTEP_CHROMIUM ?? CHROMIUM_PATH,
    headless: opts.headless ?? true,
    args: [...CHROMIUM_ARGS, ...(opts.args ?? [])],
  });
}
