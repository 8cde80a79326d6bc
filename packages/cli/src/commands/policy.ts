import type { Command } from 'commander';
import { resolve } from 'node:path';

export function register(program: Command): void {
  const policy = program.command('policy').description('Check the Cedar policies against the promises they must keep.');
  policy
    .command('check')
    .description('Evaluate the policies over a generated population (every role combination × every action × every relationship) and list any request that breaks a promise.')
    .option('--policies <dir>', 'a directory with policies.cedar (and optionally lockstep.cedarschema); default: the shipped ones (env LOCKSTEP_POLICIES)')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExits 1 when a promise is broken. `lockstep up` runs the same check and refuses to start on failure.')
    .action(async (opts: { policies?: string; json?: boolean }) => {
      const { readPolicySources, checkPolicySources, describeViolation, PROMISES } = await import('@lockstep/server');
      const dir = opts.policies ?? (process.env.LOCKSTEP_POLICIES || undefined);
      const report = checkPolicySources(readPolicySources(dir ? resolve(dir) : undefined));
      if (opts.json) process.stdout.write(`${JSON.stringify({ ...report, promises: PROMISES.map((p) => ({ id: p.id, description: p.description })) }, null, 2)}\n`);
      else {
        process.stdout.write(`${report.requests} requests evaluated against ${PROMISES.length} promises in ${Math.round(report.ms)} ms\n`);
        if (report.violations.length === 0) process.stdout.write('every promise is kept\n');
        for (const v of report.violations.slice(0, 50)) process.stdout.write(`BROKEN ${describeViolation(v)}\n`);
        if (report.violations.length > 50) process.stdout.write(`… and ${report.violations.length - 50} more (--json lists all)\n`);
      }
      if (report.violations.length > 0) process.exitCode = 1;
    });
  policy
    .command('matrix')
    .description('Print the authorization matrix (roles × actions × relationships) as Markdown, as committed in docs/authorization-matrix.md.')
    .option('--policies <dir>', 'a directory with policies.cedar (default: the shipped ones)')
    .action(async (opts: { policies?: string }) => {
      const { readPolicySources, renderMatrix } = await import('@lockstep/server');
      process.stdout.write(renderMatrix(readPolicySources(opts.policies ? resolve(opts.policies) : undefined)));
    });
}
