import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authenticate, bearerToken, hashSecret, newEnrollmentCode, newToken, normalizeEnrollmentCode } from './auth.ts';
import { type EmbeddedStore, openEmbeddedStore } from './store/embedded/index.ts';

describe('tokens', () => {
  it('are 32 random bytes in base64url behind a kind prefix', () => {
    const t = newToken('user');
    expect(t).toMatch(/^lsu_[A-Za-z0-9_-]{43}$/);
    expect(newToken('device')).toMatch(/^lsd_/);
    expect(newToken('user')).not.toBe(t);
    expect(hashSecret(t)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('are read from a Bearer header only', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

describe('enrollment codes', () => {
  it('are 16 symbols of unambiguous base32 in groups of four', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const code = newEnrollmentCode();
      expect(code).toMatch(/^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}$/);
      seen.add(code);
    }
    expect(seen.size).toBe(200);
  });

  it('tolerate case, spaces and dashes when typed, and nothing else', () => {
    expect(normalizeEnrollmentCode(' abcd-efgh jkLM-npqr ')).toBe('ABCDEFGHJKLMNPQR');
    expect(normalizeEnrollmentCode('ABCD-EFGH-JKLM-NPQ0')).toBeUndefined(); // 0 is not in the alphabet
    expect(normalizeEnrollmentCode('ABCD')).toBeUndefined();
  });
});

describe('authenticate', () => {
  let dir: string;
  let store: EmbeddedStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lockstep-auth-'));
    store = await openEmbeddedStore(dir);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resolves stored token hashes to live users and devices only', async () => {
    await store.users.create({ id: 'usr_a', roles: ['subject'], label: null, createdAt: 1, deletedAt: null });
    await store.devices.create({ id: 'dev_a', subjectId: 'usr_a', platform: 'desktop', label: null, createdAt: 1, revokedAt: null });
    const userToken = newToken('user');
    const deviceToken = newToken('device');
    await store.tokens.create({ hash: hashSecret(userToken), kind: 'user', principalId: 'usr_a', createdAt: 1 });
    await store.tokens.create({ hash: hashSecret(deviceToken), kind: 'device', principalId: 'dev_a', createdAt: 1 });

    expect(await authenticate(store, `Bearer ${userToken}`)).toEqual({ kind: 'user', id: 'usr_a', roles: ['subject'] });
    expect(await authenticate(store, `Bearer ${deviceToken}`)).toEqual({ kind: 'device', id: 'dev_a', subject: 'usr_a' });
    expect(await authenticate(store, `Bearer ${newToken('user')}`)).toBeUndefined();
    // A device token's hash presented with a user prefix is not accepted.
    expect(await authenticate(store, `Bearer lsu_${deviceToken.slice(4)}`)).toBeUndefined();
    expect(await authenticate(store, 'Bearer x')).toBeUndefined();
    expect(await authenticate(store, undefined)).toBeUndefined();

    await store.subjects.erase('usr_a', 2);
    expect(await authenticate(store, `Bearer ${userToken}`)).toBeUndefined();
    expect(await authenticate(store, `Bearer ${deviceToken}`)).toBeUndefined();
  });
});
