import { webcrypto } from 'node:crypto';
import { newId, type CaptureEvent } from '@lockstep/schema';
import { openRecordingBrowser, Uploader, type UploadError } from '@lockstep/capture-web';
import type { Page } from 'playwright-core';
import { createClient } from './client.ts';

export interface RecordWebOptions {
  url: string;
  server: string;
  token: string;
  headless: boolean;
  /** Drives the page instead of a person (the demo); recording stops when it resolves. */
  script?: (page: Page) => Promise<void>;
  log?: (line: string) => void;
}

export interface RecordWebResult {
  session: string;
  device: string;
  events: CaptureEvent[];
  batches: number;
}

/** Opens the recording browser on `url` and uploads what it records to the server as this device. */
export async function recordWeb(opts: RecordWebOptions): Promise<RecordWebResult> {
  const log = opts.log ?? (() => {});
  const me = await createClient(opts.server, opts.token).get<{ kind: string; id: string; subject?: string }>('/v1/me');
  if (me.kind !== 'device') throw new Error('recording needs a device credential; enroll this machine with a device code (`lockstep device-code USER` as admin, then `lockstep enroll CODE`)');
  const session = newId('ses', (b) => webcrypto.getRandomValues(b));
  let uploadError: Error | undefined;
  // The server refuses capture without consent: stop recording at once rather than capture on.
  let refuse: (reason: string) => void = () => {};
  const refused = new Promise<string>((resolve) => (refuse = resolve));
  const uploader = new Uploader({
    server: opts.server,
    token: opts.token,
    device: me.id,
    session,
    onError: (err: UploadError) => {
      uploadError = err;
      const body = err.body as { error?: unknown; message?: unknown } | undefined;
      if (err.status === 403 && body?.error === 'consent-required') {
        refuse(typeof body.message === 'string' ? body.message : 'consent is required');
        return;
      }
      log(`upload failed: ${err.message}`);
    },
    onReceipt: (receipt) => {
      if (!receipt.remasked) return;
      const kinds = Object.entries(receipt.remasked).map(([kind, n]) => `${n} ${kind}`).join(', ');
      log(`warning: the server masked what this recorder should have (${kinds}) in batch ${receipt.seq}; check the recorder's redaction settings`);
    },
  });
  const browser = await openRecordingBrowser({
    url: opts.url,
    headless: opts.headless,
    onEvents: (events: CaptureEvent[]) => uploader.push(events),
    recorder: {
      onRedactionFailed: (reason: string) =>
        log(`warning: on-device redaction is not working (${reason}), so typed text and field values are no longer recorded; the rest of the recording goes on`),
    },
  });
  log(`recording session ${session} on ${opts.url} (pause/resume: Alt+Shift+P or the badge)`);
  let refusal: string | undefined;
  void refused.then((reason) => {
    refusal = reason;
    log(`recording stopped: ${reason}`);
  });
  if (opts.script) {
    await Promise.race([opts.script(browser.page), refused]);
  } else {
    await Promise.race([
      refused,
      new Promise<void>((resolve) => {
        browser.page.once('close', () => resolve());
        browser.browser.once('disconnected', () => resolve());
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      }),
    ]);
  }
  const events = await browser.close();
  if (refusal !== undefined) {
    await uploader.close({ timeoutMs: 2000 }).catch(() => undefined);
    throw new Error(`capture was refused (${refusal}); the subject must accept the program's current consent notice first: \`lockstep consent accept PROGRAM\` as them`);
  }
  const sent = await uploader.close();
  if (uploadError) throw new Error(`the recording was not fully uploaded: ${uploadError.message}`);
  return { session, device: me.id, events, batches: sent.batches };
}
