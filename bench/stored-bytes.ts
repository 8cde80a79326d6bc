/**
 * Stored bytes per event, by event kind: sessions of one kind of event each are uploaded to a
 * real server, and the bytes it keeps for them (encrypted content chunks) are divided by the
 * event count. The raw JSON size of the same events is reported beside it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_TYPES, makeBatch, newId } from '@lockstep/schema';
import { createClient } from '../packages/cli/src/client.ts';
import { spawnServer } from '../packages/cli/src/testing/spawn.ts';
import { provision } from '../packages/cli/src/provision.ts';
import { batches, mixedEvents } from './lib/events.ts';
import { progress } from './lib/progress.ts';

const PER_KIND = 5000;
const BATCH = 500;
const rand = (b: Uint8Array) => new Uint8Array(randomBytes(b.length));

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-bench-bytes-'));
  const server = await spawnServer(dir, ['--log-level', 'warn']);
  const kinds = [...EVENT_TYPES, 'mixed'] as const;
  const bar = progress('stored bytes', kinds.length);
  try {
    const { device, subject } = await provision(server.url, server.bootstrapCode);
    const dev = createClient(server.url, device.token);
    const me = createClient(server.url, subject.token);
    const perKind: Record<string, { events: number; storedBytesPerEvent: number; jsonBytesPerEvent: number; compression: number }> = {};
    for (const kind of kinds) {
      const session = newId('ses', rand);
      const events = [...mixedEvents(PER_KIND, 11, kind === 'mixed' ? undefined : kind)];
      const jsonBytes = Buffer.byteLength(JSON.stringify(events)) - 2 - (events.length - 1); // without the array's brackets and commas
      for (const [seq, group] of batches(events, BATCH).entries()) await dev.post('/v1/batches', makeBatch(device.id, session, seq, group));
      const { sessions } = await me.get<{ sessions: Array<{ id: string; storedBytes: number }> }>('/v1/sessions');
      const stored = sessions.find((s) => s.id === session)!.storedBytes;
      perKind[kind] = {
        events: events.length,
        storedBytesPerEvent: stored / events.length,
        jsonBytesPerEvent: jsonBytes / events.length,
        compression: jsonBytes / stored,
      };
      bar.tick();
    }
    bar.done();
    return {
      name: 'stored-bytes',
      description: 'bytes of encrypted content stored per event, by event kind, in batches of 500',
      params: { eventsPerKind: PER_KIND, batchEvents: BATCH },
      results: perKind,
      anchor: { name: 'the same events as JSON, uncompressed', jsonBytesPerEvent: Object.fromEntries(Object.entries(perKind).map(([k, v]) => [k, v.jsonBytesPerEvent])) },
      ratio: perKind.mixed!.storedBytesPerEvent / perKind.mixed!.jsonBytesPerEvent,
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
