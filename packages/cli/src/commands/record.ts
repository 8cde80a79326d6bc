import type { Command } from 'commander';
import { defaultServer, tokenFor } from '../config.ts';
import { countByType } from '../format.ts';

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
      const { recordWeb } = await import('../record-web.ts');
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
