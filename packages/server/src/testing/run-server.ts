/**
 * Starts a server on a data directory and prints one JSON line, {"url", "bootstrapCode"}, to
 * stdout; logs go to stderr. Used by tests that need a server in a separate process:
 *   node --import tsx packages/server/src/testing/run-server.ts <dataDir>
 */
import { startServer } from '../start.ts';

const dataDir = process.argv[2];
if (!dataDir) {
  console.error('usage: run-server.ts <dataDir>');
  process.exit(2);
}
const server = await startServer({ dataDir, logStream: process.stderr, logLevel: 'warn' });
process.stdout.write(`${JSON.stringify({ url: server.url, bootstrapCode: server.bootstrapCode })}\n`);
const stop = () => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
