import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BatchEnvelope, batchChecksum } from '@lockstep/schema';
import type { CaptureEvent } from '@lockstep/schema';
import { UploadTimeoutError, Uploader } from './uploader.ts';
import type { UploadError } from './uploader.ts';

const DEVICE = 'dev_0123456789abcdef0123';
const SESSION = 'ses_0123456789abcdef0123';

function events(n: number, from = 0): CaptureEvent[] {
  return Array.from({ length: n }, (_, i) => ({ seq: from + i, t: from + i, type: 'pointer', kind: 'move', x: i, y: 1 }));
}

/** Stores a batch and answers like the real server (201 new, 200 duplicate); with no `res`, only stores it. */
type Accept = (res: ServerResponse | null, body: string) => void;
type Behaviour = (req: IncomingMessage, res: ServerResponse, attempt: number, body: string, accept: Accept) => void;

interface TestServer {
  url: string;
  /** Every batch the server accepted (2xx), in arrival order. */
  accepted: BatchEnvelope[];
  attempts: number;
  headers: IncomingMessage['headers'][];
  close(): Promise<void>;
}

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A real HTTP server playing the batch endpoint; `behave` decides each answer. */
async function startServer(behave: Behaviour): Promise<TestServer> {
  const seen = new Set<number>();
  const state: TestServer = { url: '', accepted: [], attempts: 0, headers: [], close: async () => {} };
  const accept: Accept = (res, body) => {
    const batch = BatchEnvelope.parse(JSON.parse(body));
    const duplicate = seen.has(batch.seq);
    seen.add(batch.seq);
    if (!duplicate) state.accepted.push(batch);
    if (!res) return;
    res.writeHead(duplicate ? 200 : 201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ session: batch.session, seq: batch.seq, events: batch.events.length, duplicate }));
  };
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      state.attempts++;
      state.headers.push(req.headers);
      behave(req, res, state.attempts, body, accept);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  state.url = `http://127.0.0.1:${addr.port}`;
  state.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  servers.push(state);
  return state;
}

function fail(res: ServerResponse, status: number, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ error: 'nope', message: `status ${status}` }));
}

const fast = { retryBaseMs: 5, retryMaxMs: 40 };

describe('Uploader', () => {
  it("hands every receipt to onReceipt, including the server's count of findings it had to mask", async () => {
    const server = await startServer((_req, res, _attempt, body) => {
      const batch = BatchEnvelope.parse(JSON.parse(body));
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ session: batch.session, seq: batch.seq, events: batch.events.length, duplicate: false, ...(batch.seq === 1 ? { remasked: { email: 2 } } : {}) }));
    });
    const receipts: unknown[] = [];
    const up = new Uploader({ server: server.url, token: 't', device: DEVICE, session: SESSION, maxBatchEvents: 10, ...fast, onReceipt: (r) => receipts.push(r) });
    up.push(events(20));
    await up.close({ timeoutMs: 5000 });
    expect(receipts).toEqual([
      { session: SESSION, seq: 0, events: 10, duplicate: false },
      { session: SESSION, seq: 1, events: 10, duplicate: false, remasked: { email: 2 } },
    ]);
  });

  it('retries network errors, 5xx and 429 until acknowledged, in order, with auth and valid batches', async () => {
    const server = await startServer((req, res, attempt, body, accept) => {
      if (attempt === 1) return fail(res, 503);
      if (attempt === 2) return req.socket.destroy(); // connection dropped
      if (attempt === 3) return fail(res, 429, { 'retry-after': '0' });
      if (attempt === 5) return fail(res, 500);
      accept(res, body);
    });
    const retries: number[] = [];
    const errors: UploadError[] = [];
    const up = new Uploader({ server: `${server.url}/`, token: 'tok_secret', device: DEVICE, session: SESSION, maxBatchEvents: 500, ...fast, onRetry: (e) => retries.push(e.status ?? 0), onError: (e) => errors.push(e) });
    up.push(events(700));
    up.push(events(300, 700));
    const summary = await up.close({ timeoutMs: 5000 });
    expect(summary).toEqual({ batches: 2, events: 1000, failed: 0 });
    expect(retries).toEqual([503, 0, 429, 500]);
    expect(errors).toEqual([]);
    expect(server.accepted.map((b) => [b.seq, b.events.length])).toEqual([
      [0, 500],
      [1, 500],
    ]);
    expect(server.accepted.flatMap((b) => b.events.map((e) => e.seq))).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    for (const b of server.accepted) {
      expect(b).toMatchObject({ v: 1, device: DEVICE, session: SESSION });
      expect(b.checksum).toBe(batchChecksum(b.events));
    }
    for (const h of server.headers) {
      expect(h.authorization).toBe('Bearer tok_secret');
      expect(h['content-type']).toBe('application/json');
    }
    expect(up.pending).toBe(0);
    expect(() => up.push(events(1))).toThrow(/closed/);
  });

  it('reports a 4xx as permanent, keeps the batch, and goes on with the next one', async () => {
    const server = await startServer((_req, res, _attempt, body, accept) => {
      const seq = (JSON.parse(body) as { seq: number }).seq;
      if (seq === 0) return fail(res, 400);
      accept(res, body);
    });
    const errors: UploadError[] = [];
    const up = new Uploader({ server: server.url, token: 't', device: DEVICE, session: SESSION, maxBatchEvents: 3, ...fast, onError: (e) => errors.push(e) });
    up.push(events(5));
    const summary = await up.close({ timeoutMs: 5000 });
    expect(summary).toEqual({ batches: 1, events: 2, failed: 1 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ status: 400, batch: 0, permanent: true, body: { error: 'nope' } });
    expect(errors[0]?.message).toMatch(/HTTP 400: status 400/);
    expect(up.failed.map((b) => b.seq)).toEqual([0]);
    expect(server.attempts).toBe(2); // no retry of the rejected batch
  });

  it('counts a duplicate (200) as acknowledged', async () => {
    let first = true;
    const server = await startServer((req, res, _attempt, body, accept) => {
      // The first post is stored, but its answer is lost.
      if (first) {
        first = false;
        accept(null, body);
        req.socket.destroy();
        return;
      }
      accept(res, body);
    });
    const up = new Uploader({ server: server.url, token: 't', device: DEVICE, session: SESSION, ...fast });
    up.push(events(4));
    expect(await up.close()).toEqual({ batches: 1, events: 4, failed: 0 });
    expect(server.attempts).toBe(2);
    expect(server.accepted).toHaveLength(1);
  });

  it('seals a batch every flushIntervalMs without being asked', async () => {
    const server = await startServer((_req, res, _attempt, body, accept) => accept(res, body));
    const up = new Uploader({ server: server.url, token: 't', device: DEVICE, session: SESSION, flushIntervalMs: 30 });
    up.push(events(2));
    up.push(events(1, 2));
    await expect.poll(() => server.accepted.map((b) => b.events.length), { timeout: 5000 }).toEqual([3]);
    up.push(events(1, 3));
    await up.flush();
    expect(server.accepted.map((b) => b.seq)).toEqual([0, 1]);
    expect(up.acknowledged).toEqual({ batches: 2, events: 4 });
    await up.close();
  });

  it('times out on close without dropping what was not acknowledged', async () => {
    const server = await startServer((_req, res) => fail(res, 503));
    const up = new Uploader({ server: server.url, token: 't', device: DEVICE, session: SESSION, ...fast });
    up.push(events(3));
    const err = await up.close({ timeoutMs: 150 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadTimeoutError);
    expect((err as UploadTimeoutError).pendingBatches).toBe(1);
    expect(up.pendingBatches().map((b) => b.events.length)).toEqual([3]);
    expect(up.pending).toBe(3);
    // A request already on the wire when close() gave up may still land; after that, nothing.
    await new Promise((r) => setTimeout(r, 50));
    const attempts = server.attempts;
    await new Promise((r) => setTimeout(r, 300));
    expect(server.attempts).toBe(attempts); // retrying stopped
  });
});
