import { afterAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.ts';

describe('launchChromium', () => {
  let browser: Browser | undefined;
  afterAll(() => browser?.close());

  it('starts the system Chromium headless', async () => {
    browser = await launchChromium();
    expect(browser.version()).toMatch(/^\d+\./);
    const page = await browser.newPage();
    expect(await page.evaluate(() => navigator.userAgent)).toContain('HeadlessChrome');
  });
});
