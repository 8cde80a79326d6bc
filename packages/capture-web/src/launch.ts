// openRecordingBrowser(): a Chromium window with one page recorded from the start, badge on.
// The CLI's `lockstep record web` and `lockstep demo` use it together with the Uploader.
import type { Browser, Page } from 'playwright-core';
import type { CaptureEvent } from '@lockstep/schema';
import { launchChromium } from './chromium.ts';
import { attachRecorder } from './playwright.ts';
import type { Recording } from './playwright.ts';
import type { RecorderOptions } from './options.ts';

export interface RecordingBrowserOptions {
  url: string;
  /** Defaults to false: a visible window the person works in. */
  headless?: boolean;
  recorder?: RecorderOptions;
  onEvents?: (events: CaptureEvent[]) => void;
}

export interface RecordingBrowser {
  browser: Browser;
  page: Page;
  recording: Recording;
  /** Resolves when the person closes the page or the browser. */
  closed: Promise<void>;
  /** Stops the recording, closes the browser, and resolves to all events. */
  close(): Promise<CaptureEvent[]>;
}

export async function openRecordingBrowser(opts: RecordingBrowserOptions): Promise<RecordingBrowser> {
  const headless = opts.headless ?? false;
  const browser = await launchChromium({ headless });
  try {
    // Headed: let the page follow the window size instead of a fixed viewport.
    const page = await browser.newPage(headless ? {} : { viewport: null });
    const recording = await attachRecorder(page, { ...opts.recorder, badge: true, onEvents: opts.onEvents ?? opts.recorder?.onEvents });
    const closed = new Promise<void>((resolve) => {
      page.once('close', () => resolve());
      browser.once('disconnected', () => resolve());
    });
    await page.goto(opts.url);
    let closing: Promise<CaptureEvent[]> | undefined;
    const close = (): Promise<CaptureEvent[]> =>
      (closing ??= (async () => {
        const events = await recording.stop();
        await browser.close().catch(() => {});
        return events;
      })());
    return { browser, page, recording, closed, close };
  } catch (err) {
    await browser.close().catch(() => {});
    throw err;
  }
}
