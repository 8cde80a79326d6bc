/**
 * A process for the spool's crash tests, meant to be killed with SIGKILL:
 *   node --import tsx spool-child.ts append <spool> <keyDir> <session> <eventsPerBatch>
 *     appends batches 0, 1, 2… as fast as it can and prints `stored <seq> <events>` after each
 *     append has returned, until it is killed;
 *   node --import tsx spool-child.ts upload-once <spool> <keyDir> <server> <token> <device>
 *     uploads, and SIGKILLs itself as soon as the server has answered 201 for the first batch,
 *     before the spool's ack, after printing `server-stored <session> <seq>`.
 */
import type { CaptureEvent } from '@lockstep/schema';
import { loadDeviceKey } from '../devicekey.ts';
import { Spool } from '../spool.ts';
import { SpoolUploader } from '../uploader.ts';

const [mode, spoolPath, keyDir, ...rest] = process.argv.slice(2);
if (!spoolPath || !keyDir) {
  console.error('usage: spool-child.ts append|upload-once <spool> <keyDir> …');
  process.exit(2);
}
const spool = Spool.open(spoolPath, { key: loadDeviceKey(keyDir), maxBytes: 1 << 30 });

if (mode === 'append') {
  const [session = '', perBatch = '20'] = rest;
  const n = Number(perBatch);
  for (let seq = 0; ; seq++) {
    const events: CaptureEvent[] = Array.from({ length: n }, (_, i) => ({ seq: seq * n + i, t: (seq * n + i) * 5, type: 'pointer', kind: 'move', x: i, y: seq % 500 }));
    if (spool.append({ session, seq, events }) !== 'stored') throw new Error('spool full');
    process.stdout.write(`stored ${seq} ${n}\n`);
  }
} else if (mode === 'upload-once') {
  const [server = '', token = '', device = ''] = rest;
  const uploader = new SpoolUploader({
    spool,
    server,
    token,
    device,
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      if (res.status === 201) {
        const body = JSON.parse(String(init?.body)) as { session: string; seq: number };
        process.stdout.write(`server-stored ${body.session} ${body.seq}\n`);
        process.kill(process.pid, 'SIGKILL');
      }
      return res;
    },
  });
  uploader.start();
} else {
  console.error(`unknown mode ${String(mode)}`);
  process.exit(2);
}
