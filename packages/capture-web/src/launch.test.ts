import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureEvent } from '@lockstep/schema';
import { openRecordingBrowser } from './launch.ts';
import { checkInvariants, FORCE, ofType } from './testing/fixture.ts';
import { serveSamples } from '../../../samples/serve.ts';

let samples: Awaited<ReturnType<typeof serveSamples>>;
beforeAll(async () => {
  samples = await serveSamples();
});
afterAll(() => samples.close());

describe('openRecordingBrowser', () => {
  it('opens the URL with the recorder and badge on, and close() returns everything', async () => {
    const slices: CaptureEvent[][] = [];
    const rb = await openRecordingBrowser({ url: `${samples.url}signup/`, headless: true, onEvents: (e) => slices.push(e) });
    expect(rb.page.url()).toBe(`${samples.url}signup/`);
    await rb.page.locator('lockstep-badge').waitFor();
    await rb.page.click('#username', FORCE);
    await rb.page.keyboard.type('hi');
    const events = await rb.close();
    await rb.closed;
    expect(rb.browser.isConnected()).toBe(false);
    checkInvariants(events);
    expect(ofType(events, 'input').at(-1)).toMatchObject({ value: 'hi', target: { selector: '#username' } });
    expect(slices.flat()).toEqual(events);
    expect(await rb.close()).toBe(events);
  });

  it('closes the browser when the page cannot be opened', async () => {
    await expect(openRecordingBrowser({ url: 'http://127.0.0.1:1/', headless: true })).rejects.toThrow();
  });
});
