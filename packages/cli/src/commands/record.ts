import type { Command } from 'commander';
import { webcrypto } from 'node:crypto';
import { newId, type CaptureEvent } from '@lockstep/schema';
import { openRecordingBrowser, Uploader } from '@lockstep/capture-web';
import { createClient } from '../client.ts';
import { defaultServer, tokenFor } from '../config.ts';
import { countByType } from '../format.ts';

export interface RecordWebOptions {
  url: string;
  server: string;
  token: string;
  headless: boolean;
  /** Drives the page instead of a person (the demo); recording stops when it resolves. */
  script?: (page: import('playwright-core').Page) => Promise<void>;
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
  const uploader = new Uploader({
    server: opts.server,
    token: opts.token,
    device: me.id,
    session,
    onError: (err: Error) => {
      uploadError = err;
      log(`upload failed: ${err.message}`);
    },
  });
  const browser = await openRecordingBrowser({
    url: opts.url,
    headless: opts.headless,
    onEvents: (events: CaptureEvent[]) => uploader.push(events),
  });
  log(`recording session ${session} on ${opts.url} (pause/resume: Alt+Shift+P or the badge)`);
  if (opts.script) {
    await opts.script(browser.page);
  } else {
    await new Promise<void>((resolve) => {
      browser.page.once('close', () => resolve());
      browser.browser.once('disconnected', () => resolve());
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  }
  const events = await browser.close();
  const sent = await uploader.close();
  if (uploadError) throw new Error(`the recording was not fully uploaded: ${uploadError.message}`);
  return { session, device: me.id, events, batches: sent.batches };
}

export function register(program: Command): void {
  const record = program.command('record').description('Record a task.');
  record
    .command('web')
    .argument('<url>', 'the page to start on')
    .description('Open Chromium with the Lockstep recorder (a badge shows it is recording) and upload what you do to the server.')
    .option('--headless', 'run the browser without a window (for scripted use)')
    .option('--server <url>', 'Lockstep server (env LOCKSTEP_SERVER)', defaultServer())
    .option('--token <token>', 'device token (default: the saved device credential or LOCKSTEP_TOKEN)')
    .addHelpText('after', '\nClose the browser window or press Ctrl+C to stop. Password, card and one-time-code fields are never read.')
    .action(async (url: string, opts: { headless?: boolean; server: string; token?: string }) => {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new Error(`"${url}" is not a URL; give one such as https://example.org/`);
      }
      const result = await recordWeb({
        url: parsed.href,
        server: opts.server,
        token: tokenFor(opts.server, 'device', opts.token),
        headless: Boolean(opts.headless),
        log: (line) => process.stderr.write(`${line}\n`),
      });
      const counts = Object.entries(countByType(result.events)).map(([k, v]) => `${k} ${v}`).join(', ');
      process.stdout.write(`session ${result.session}: ${result.events.length} events (${counts}) in ${result.batches} batches uploaded\n`);
    });
}
