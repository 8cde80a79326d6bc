import { program } from './program.ts';

try {
  await program().parseAsync(process.argv);
} catch (err) {
  // Errors reach the person as one clear line; stack traces only on request.
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`lockstep: ${message}\n`);
  if (process.env.LOCKSTEP_DEBUG) console.error(err);
  process.exit(1);
}
