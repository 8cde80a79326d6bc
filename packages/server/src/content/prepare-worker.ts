import { parentPort } from 'node:worker_threads';
import { type PrepareResult, prepareBatch } from './prepare.ts';

/** A batch worker (see prepare-pool.ts): prepares each body it is sent and answers with its id. */
parentPort?.on('message', ({ id, body }: { id: number; body: Uint8Array }) => {
  let result: PrepareResult | undefined;
  try {
    result = prepareBatch(body);
  } catch {
    // Unexpected: answered as a failure of the worker (500), without anything of the input.
  } finally {
    body.fill(0);
  }
  parentPort?.postMessage({ id, result });
});

parentPort?.postMessage({ ready: true });
