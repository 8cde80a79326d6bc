import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('demo')
    .description('Run the whole flow once: embedded server, enrollment, a recorded task in Chromium on a sample app, and read-back by its owner.')
    .option('--headed', 'show the browser window while the task is recorded')
    .option('--data <dir>', 'keep the demo data in this directory (default: a temporary one, removed afterwards)')
    .option('--keep', 'keep the temporary data directory')
    .action(async (opts: { headed?: boolean; data?: string; keep?: boolean }) => {
      const { runDemo } = await import('../demo.ts');
      const result = await runDemo(opts);
      if (result.passwordFound.length > 0 || result.messageOnDisk || result.secretFound.length > 0 || result.adminStatus !== 403 || !result.adminAttemptShown) process.exitCode = 1;
    });
}
