import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCheckpointText, parseVerifierKey, openCheckpoint } from './checkpoint.ts';
import { NODE_STRIDE, type StoredEntry } from './db.ts';
import { type AuditInput, AuditEntryError, GENESIS_PREV, PREV_END, PREV_START, entryHashHex, leafHashHex, leafInput, prepareEntry } from './entry.ts';
import { type AuditLog, AuditWriteError, openAuditLog } from './log.ts';
import { Frontier, verifyConsistency, verifyInclusion } from './merkle.ts';
import { proveConsistency, verifyAuditDir } from './offline.ts';

const dirs: string[] = [];
const logs: AuditLog[] = [];
afterEach(async () => {
  for (const log of logs.splice(0)) await log.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-audit-'));
  dirs.push(dir);
  return dir;
}

let now = 1_700_000_000_000;
const clock = () => now++;

function open(dir: string, options: Parameters<typeof openAuditLog>[1] = {}): AuditLog {
  const log = openAuditLog(dir, { clock, origin: 'lockstep/audit/test', checkpointEveryMs: 0, ...options });
  logs.push(log);
  return log;
}

const entry = (i: number, extra: Partial<AuditInput> = {}): AuditInput => ({
  actor: `usr_actor${i % 3}`,
  actorRoles: ['subject'],
  action: 'session.read',
  resource: `Session::ses_${i}`,
  subject: `usr_subject${i % 2}`,
  decision: i % 5 === 0 ? 'deny' : 'allow',
  policies: ['subjects-read-and-delete-their-own-sessions'],
  kind: i % 2 === 0 ? 'decision' : 'content-access',
  detail: { route: 'GET /v1/sessions/:id', events: i },
  ...extra,
});

async function filled(n: number, options: Parameters<typeof openAuditLog>[1] = {}): Promise<{ dir: string; log: AuditLog }> {
  const dir = tempDir();
  const log = open(dir, options);
  await Promise.all(Array.from({ length: n }, (_, i) => log.append(entry(i))));
  return { dir, log };
}

/** Closes the log and opens audit.db directly, as someone with write access to the disk would. */
async function tamper(dir: string, log: AuditLog, change: (db: Database.Database) => void): Promise<void> {
  await log.close();
  const db = new Database(join(dir, 'audit.db'));
  try {
    change(db);
  } finally {
    db.close();
  }
}

/** Rewrites entry `seq`'s bytes (and its query columns, so that they agree), keeping its old hash. */
function editEntry(db: Database.Database, seq: number, edit: (text: string) => string): void {
  const row = db.prepare<[number], StoredEntry>('SELECT * FROM entries WHERE seq = ?').get(seq)!;
  const body = Buffer.from(edit(row.body.toString('utf8')));
  const e = JSON.parse(body.toString('utf8')) as { kind: string; actor: string; action: string; subject: string | null };
  db.prepare('UPDATE entries SET body = ?, kind = ?, actor = ?, action = ?, subject = ? WHERE seq = ?').run(body, e.kind, e.actor, e.action, e.subject, seq);
}

/** Recomputes every hash, the chain, the stored nodes and the indexes after a change: a consistent rewrite. */
function rewriteConsistently(db: Database.Database): void {
  const rows = db.prepare<[], StoredEntry>('SELECT * FROM entries ORDER BY seq').all();
  const update = db.prepare('UPDATE entries SET body = ?, hash = ? WHERE seq = ?');
  db.exec('DELETE FROM nodes; DELETE FROM by_subject; DELETE FROM by_actor');
  const insertNode = db.prepare('INSERT INTO nodes (level, idx, hash) VALUES (?, ?, ?)');
  const frontier = new Frontier();
  let prev = GENESIS_PREV;
  for (const row of rows) {
    const body = Buffer.concat([row.body.subarray(0, PREV_START), Buffer.from(prev), row.body.subarray(PREV_END)]);
    const hash = Buffer.from(entryHashHex(body), 'hex');
    update.run(body, hash, row.seq);
    frontier.push(hash, (level, idx, node) => {
      if (level > 0 && level % NODE_STRIDE === 0) insertNode.run(level, idx, node);
    });
    prev = hash.toString('hex');
  }
  const indexed = Number(db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'indexed'").get()!.value);
  db.prepare('INSERT INTO by_subject SELECT subject, seq FROM entries WHERE seq < ? AND subject IS NOT NULL').run(indexed);
  db.prepare('INSERT INTO by_actor SELECT actor, seq FROM entries WHERE seq < ?').run(indexed);
}

describe('appending', () => {
  it('assigns seq in order, chains every entry to the one before and resolves with the record', async () => {
    const { log } = await filled(3);
    const next = await log.append(entry(3, { purpose: 'agent-training', grant: 'grt_1' }));
    expect(next).toMatchObject({ seq: 3, actor: 'usr_actor0', purpose: 'agent-training', grant: 'grt_1', kind: 'content-access' });
    const all = log.list({ limit: 10 });
    expect(all.map((e) => e.seq)).toEqual([0, 1, 2, 3]);
    expect(log.size()).toBe(4);
    expect(all[0]!.time).toBeLessThan(all[3]!.time);
    expect(log.verify()).toMatchObject({ ok: true, entries: 4 });
  });

  it('writes concurrent appends in one group, durable once resolved (a reopened log has them)', async () => {
    const dir = tempDir();
    const log = open(dir);
    const records = await Promise.all(Array.from({ length: 500 }, (_, i) => log.append(entry(i))));
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    const root = log.root();
    await log.close();
    // A second process sees exactly what was acknowledged.
    const reader = new Database(join(dir, 'audit.db'), { readonly: true });
    expect(reader.prepare('SELECT count(*) AS n FROM entries').get()).toEqual({ n: 500 });
    reader.close();
    const again = open(dir);
    expect(again.size()).toBe(500);
    expect(again.root()).toEqual(root);
    await again.append(entry(500));
    expect(again.verify()).toMatchObject({ ok: true, entries: 501 });
  });

  it('refuses malformed entries and anything that looks like a credential, without using a seq', async () => {
    const { log } = await filled(1);
    await expect(log.append(entry(1, { actor: 'root' }))).rejects.toThrow(AuditEntryError);
    await expect(log.append(entry(1, { detail: { token: `lsu_${'A'.repeat(43)}` } }))).rejects.toThrow(/credential/);
    await expect(log.append(entry(1, { purpose: `Bearer lsd_${'b'.repeat(40)}` }))).rejects.toThrow(/credential/);
    await expect(log.append(entry(1, { detail: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i])) }))).rejects.toThrow(/at most/);
    await expect(log.append(entry(1, { detail: { big: 'x'.repeat(300) } }))).rejects.toThrow(/longer/);
    await expect(log.append(entry(1, { subject: 'usr_a\nb' }))).rejects.toThrow(/control character/);
    await expect(log.append(entry(1, { action: 'session.\ud800' }))).rejects.toThrow(/lone surrogate/);
    expect((await log.append(entry(1))).seq).toBe(1);
  });

  it('rejects with AuditWriteError when the write fails, and leaves no gap', async () => {
    const { dir, log } = await filled(2);
    const other = new Database(join(dir, 'audit.db'));
    other.exec("CREATE TRIGGER fail BEFORE INSERT ON entries WHEN NEW.actor = 'usr_doomed' BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    other.close();
    const results = await Promise.allSettled([log.append(entry(2)), log.append(entry(3, { actor: 'usr_doomed' }))]);
    // One group, one transaction: both are refused.
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(AuditWriteError);
    expect(log.size()).toBe(2);
    expect((await log.append(entry(4))).seq).toBe(2);
    expect(log.verify().ok).toBe(true);
    await log.close();
    await expect(log.append(entry(5))).rejects.toThrow(AuditWriteError);
  });
});

describe('queries', () => {
  it("lists a subject's accesses newest first with a cursor, and the log by actor or action", async () => {
    const { log } = await filled(20);
    const mine = log.forSubject('usr_subject1', { limit: 4 });
    expect(mine.map((e) => e.seq)).toEqual([19, 17, 15, 13]);
    expect(log.forSubject('usr_subject1', { limit: 4, before: 13 }).map((e) => e.seq)).toEqual([11, 9, 7, 5]);
    expect(log.forSubject('usr_nobody', { limit: 4 })).toEqual([]);
    expect(log.list({ limit: 3, after: 10 }).map((e) => e.seq)).toEqual([11, 12, 13]);
    expect(log.list({ limit: 100, actor: 'usr_actor2' }).every((e) => e.actor === 'usr_actor2')).toBe(true);
    expect(log.list({ limit: 100, action: 'session.list' })).toEqual([]);
    expect(mine[0]).toMatchObject({ subject: 'usr_subject1', detail: { events: 19, route: 'GET /v1/sessions/:id' }, policies: ['subjects-read-and-delete-their-own-sessions'] });
  });
});

describe('tree, proofs and checkpoints', () => {
  it('serves inclusion and consistency proofs that the standard verifier accepts, across stored nodes', async () => {
    const { log } = await filled(700); // > 256: proofs use the stored level-8 nodes
    const root = log.root();
    for (const index of [0, 1, 255, 256, 511, 699]) {
      const leaf = Buffer.from(log.list({ limit: 1, after: index - 1 })[0]!.hash, 'hex');
      verifyInclusion(index, 700, leaf, log.inclusionProof(index), root);
      if (index < 600) verifyInclusion(index, 600, leaf, log.inclusionProof(index, 600), log.root(600));
    }
    for (const from of [0, 1, 255, 256, 257, 600, 700]) verifyConsistency(from, 700, log.consistencyProof(from), log.root(from), root);
  });

  it('signs checkpoints on open, on demand and on close, verifiable with the printed key', async () => {
    const { dir, log } = await filled(10);
    const first = parseCheckpointText(log.latestCheckpoint().split('\n\n')[0]! + '\n');
    expect(first.size).toBe(0); // signed when the log was created
    const note = log.checkpoint();
    const verifier = parseVerifierKey(log.verifierKey);
    expect(openCheckpoint(note, verifier, 'lockstep/audit/test')).toMatchObject({ size: 10, root: log.root() });
    expect(log.verifierKey).toMatch(/^lockstep\/audit\/test\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    await log.append(entry(10));
    await log.close();
    const again = open(dir);
    expect(openCheckpoint(again.latestCheckpoint(), verifier).size).toBe(11);
    expect(statSync(join(dir, 'keys', 'audit-signing.key')).mode & 0o777).toBe(0o600);
  });

  it('signs regularly while entries are appended', async () => {
    const dir = tempDir();
    const log = open(dir, { checkpointEveryMs: 20 });
    await log.append(entry(0));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(parseCheckpointText(log.latestCheckpoint().split('\n\n')[0]! + '\n').size).toBe(1);
  });

  it('keeps its origin and refuses a signing key that others may read or that is not its own', async () => {
    const { dir, log } = await filled(1);
    await log.close();
    expect(() => openAuditLog(dir, { origin: 'lockstep/audit/other' })).toThrow(/named "lockstep\/audit\/test"/);
    chmodSync(join(dir, 'keys', 'audit-signing.key'), 0o644);
    expect(() => openAuditLog(dir)).toThrow(/may be read by group or others/);
    rmSync(join(dir, 'keys', 'audit-signing.key'));
    expect(() => openAuditLog(dir)).toThrow(/is missing/);
  });
});

describe('verification names the first bad entry', () => {
  it('a changed entry', async () => {
    const { dir, log } = await filled(60);
    await tamper(dir, log, (db) => editEntry(db, 41, (text) => text.replace('"actor":"usr_actor2"', '"actor":"usr_someoneelse"')));
    expect(verifyAuditDir(dir)).toMatchObject({ ok: false, firstBad: { seq: 41, reason: 'entry 41: contents changed (its hash does not match)' } });
  });

  it('a changed entry whose hash was recomputed', async () => {
    const { dir, log } = await filled(60);
    await tamper(dir, log, (db) => {
      editEntry(db, 41, (text) => text.replace('"subject":"usr_subject1"', '"subject":"usr_hidden"'));
      const body = db.prepare<[], { body: Buffer }>('SELECT body FROM entries WHERE seq = 41').get()!.body;
      db.prepare('UPDATE entries SET hash = ? WHERE seq = 41').run(Buffer.from(entryHashHex(body), 'hex'));
    });
    expect(verifyAuditDir(dir).firstBad).toEqual({ seq: 42, reason: 'entry 42: hash chain broken (prev hash does not match entry 41)' });
  });

  it('a query column that no longer says what the hashed entry says (hiding it from an access view)', async () => {
    const { dir, log } = await filled(60);
    expect(log.forSubject('usr_subject1', { limit: 100 }).map((e) => e.seq)).toContain(41);
    await tamper(dir, log, (db) => db.prepare("UPDATE entries SET subject = 'usr_elsewhere' WHERE seq = 41").run());
    const again = open(dir);
    expect(again.forSubject('usr_subject1', { limit: 100 }).map((e) => e.seq)).not.toContain(41); // what the attack achieves…
    expect(again.forSubject('usr_elsewhere', { limit: 100 })).toEqual([]); // …without showing it to anyone else
    expect(verifyAuditDir(dir).firstBad).toEqual({
      seq: 41,
      reason: "entry 41: contents changed (its subject column differs from its hashed bytes: it is not in its subject's access view)",
    });
    for (const [column, value] of [['actor', 'usr_nobody'], ['action', 'me.read'], ['kind', 'decision'], ['subject', null]] as const) {
      await again.close();
      const db = new Database(join(dir, 'audit.db'));
      db.prepare("UPDATE entries SET kind = 'content-access', actor = 'usr_actor2', action = 'session.read', subject = 'usr_subject1' WHERE seq = 41").run();
      db.prepare(`UPDATE entries SET ${column} = ? WHERE seq = 41`).run(value);
      db.close();
      expect(verifyAuditDir(dir).firstBad?.reason).toMatch(new RegExp(`^entry 41: contents changed \\(its ${column} column differs from its hashed bytes`));
    }
  });

  it('an index that leaves an entry out or files it under someone else', async () => {
    const { dir, log } = await filled(100, { indexEvery: 16 });
    // Entries below the index mark are found through by_subject, the rest by scanning.
    expect(log.forSubject('usr_subject1', { limit: 100 }).map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 99 - 2 * i));
    expect(log.forSubject('usr_subject1', { limit: 3, before: 41 }).map((e) => e.seq)).toEqual([39, 37, 35]);
    expect(log.list({ limit: 100, actor: 'usr_actor2' }).map((e) => e.seq)).toEqual(Array.from({ length: 33 }, (_, i) => 2 + 3 * i));
    expect(log.list({ limit: 5, actor: 'usr_actor2', after: 90 }).map((e) => e.seq)).toEqual([92, 95, 98]);
    expect(log.verify()).toMatchObject({ ok: true, entries: 100 });
    const reopened = async (change: (db: Database.Database) => void) => {
      await tamper(dir, log, change);
      return verifyAuditDir(dir).firstBad;
    };
    expect(await reopened((db) => db.prepare('DELETE FROM by_subject WHERE seq = 41').run())).toEqual({
      seq: 41,
      reason: "entry 41 is missing from the subject index: it is not in its subject's access view",
    });
    expect(await reopened((db) => db.prepare("INSERT INTO by_subject VALUES ('usr_elsewhere', 41)").run())).toEqual({ seq: 41, reason: "entry 41 is missing from the subject index: it is not in its subject's access view" });
    expect(await reopened((db) => db.prepare("UPDATE by_subject SET subject = 'usr_subject1' WHERE subject = 'usr_elsewhere'").run())).toBeUndefined();
    expect(await reopened((db) => db.prepare("INSERT INTO by_actor VALUES ('usr_actor0', 2)").run())).toEqual({ seq: 2, reason: 'the actor index files entry 2 under "usr_actor0", which is not its actor' });
    expect(await reopened((db) => db.prepare("DELETE FROM by_actor WHERE actor = 'usr_actor0' AND seq = 2").run())).toBeUndefined();
    expect(await reopened((db) => db.prepare("UPDATE meta SET value = '120' WHERE key = 'indexed'").run())).toMatchObject({ seq: 100 });
  });

  it('a deleted entry', async () => {
    const { dir, log } = await filled(60);
    await tamper(dir, log, (db) => db.prepare('DELETE FROM entries WHERE seq = 17').run());
    expect(verifyAuditDir(dir).firstBad).toEqual({ seq: 17, reason: 'entry 17 missing' });
  });

  it('a deleted entry with the rest renumbered', async () => {
    const { dir, log } = await filled(60);
    await tamper(dir, log, (db) => {
      db.prepare('DELETE FROM entries WHERE seq = 17').run();
      db.prepare('UPDATE entries SET seq = -seq WHERE seq > 17').run();
      db.prepare('UPDATE entries SET seq = -seq - 1 WHERE seq < 0').run();
    });
    expect(verifyAuditDir(dir).firstBad).toEqual({ seq: 17, reason: 'entry 17: hash chain broken (prev hash does not match entry 16)' });
  });

  it('two entries swapped', async () => {
    const { dir, log } = await filled(60);
    await tamper(dir, log, (db) => {
      db.prepare('UPDATE entries SET seq = -1 WHERE seq = 20').run();
      db.prepare('UPDATE entries SET seq = 20 WHERE seq = 21').run();
      db.prepare('UPDATE entries SET seq = 21 WHERE seq = -1').run();
    });
    expect(verifyAuditDir(dir).firstBad).toEqual({ seq: 20, reason: 'entry 20 is out of order (its prev hash is that of entry 21)' });
  });

  it('an inserted entry (well formed, with the rest renumbered)', async () => {
    const { dir, log } = await filled(60);
    await tamper(dir, log, (db) => {
      db.prepare('UPDATE entries SET seq = -seq WHERE seq >= 30').run();
      db.prepare('UPDATE entries SET seq = -seq + 1 WHERE seq < 0').run();
      const before = db.prepare<[], StoredEntry>('SELECT * FROM entries WHERE seq = 29').get()!;
      const forged = prepareEntry(entry(29, { actor: 'usr_forger' }), 1_700_000_000_000);
      const bytes = leafInput(before.hash.toString('hex'), 30, forged.tail);
      db.prepare('INSERT INTO entries (seq, kind, actor, action, subject, hash, body) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        30,
        forged.kind,
        forged.actor,
        forged.action,
        forged.subject,
        Buffer.from(leafHashHex(bytes), 'hex'),
        bytes.subarray(1),
      );
    });
    expect(verifyAuditDir(dir).firstBad).toEqual({ seq: 30, reason: 'entry 30 was inserted (entry 31 follows entry 29)' });
  });

  it('a stored tree node', async () => {
    const { dir, log } = await filled(300);
    await tamper(dir, log, (db) => db.prepare('UPDATE nodes SET hash = zeroblob(32) WHERE level = 8 AND idx = 0').run());
    expect(verifyAuditDir(dir).firstBad).toEqual({ seq: 0, reason: 'stored tree node (level 8, index 0) does not match entries 0..255' });
  });

  it('a truncated log, through the checkpoints it signed', async () => {
    const { dir, log } = await filled(60);
    log.checkpoint();
    await tamper(dir, log, (db) => db.prepare('DELETE FROM entries WHERE seq >= 50').run());
    expect(verifyAuditDir(dir).firstBad).toEqual({ seq: 50, reason: 'entry 50 missing: the log has 50 entries but a checkpoint of size 60 was signed' });
  });
});

describe('a consistent rewrite of the whole log', () => {
  it('is exposed by a checkpoint saved before it (root mismatch), and by the stored ones', async () => {
    const { dir, log } = await filled(300);
    const saved = log.checkpoint(); // kept elsewhere
    await log.append(entry(300));
    await tamper(dir, log, (db) => {
      editEntry(db, 5, (text) => text.replace('"actor":"usr_actor2"', '"actor":"usr_someoneelse"'));
      rewriteConsistently(db);
    });
    // The stored checkpoints still hold the old roots.
    expect(verifyAuditDir(dir).firstBad).toEqual({ seq: null, reason: 'root differs from the stored checkpoint of size 300: the log was rewritten' });
    // Whoever rewrote the log also removes the checkpoints they cannot re-sign: only the saved one exposes it.
    const db = new Database(join(dir, 'audit.db'));
    db.exec('DELETE FROM checkpoints');
    db.close();
    expect(verifyAuditDir(dir)).toMatchObject({ ok: true, entries: 301 });
    expect(verifyAuditDir(dir, { checkpoint: saved })).toMatchObject({
      ok: false,
      firstBad: { seq: null, reason: 'root differs from checkpoint of size 300: the log was rewritten' },
    });
    expect(() => proveConsistency(dir, saved, saved)).toThrow(/root differs from checkpoint of size 300/);
  });

  it('an untouched log extends the saved checkpoint (consistency proof)', async () => {
    const { dir, log } = await filled(300);
    const saved = log.checkpoint();
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(entry(300 + i))));
    const later = log.checkpoint();
    await log.close();
    expect(verifyAuditDir(dir, { checkpoint: saved })).toMatchObject({ ok: true, entries: 350 });
    const proof = proveConsistency(dir, saved, later);
    expect([proof.from.size, proof.to.size, proof.proof.length > 0]).toEqual([300, 350, true]);
    // A checkpoint of a longer log than the one on disk: truncated.
    const { dir: dir2, log: log2 } = await filled(5, { origin: 'lockstep/audit/test' });
    await log2.close();
    expect(verifyAuditDir(dir2, { checkpoint: later }).ok).toBe(false);
  });
});
