import { describe, expect, it } from 'vitest';
import { DecryptionError, NONCE_BYTES, TAG_BYTES, open, randomKey, seal, unwrapKey, wrapKey } from './envelope.ts';

describe('seal / open', () => {
  const key = randomKey();
  const text = Buffer.from('the quick brown fox');

  it('round-trips with a fresh nonce each time', () => {
    const a = seal(key, text, 'ctx');
    const b = seal(key, text, 'ctx');
    expect(a.nonce).toHaveLength(NONCE_BYTES);
    expect(a.ciphertext).toHaveLength(text.length + TAG_BYTES);
    expect(a.nonce.equals(b.nonce)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(open(key, a.nonce, a.ciphertext, 'ctx').toString()).toBe('the quick brown fox');
  });

  it('refuses another context, another key or a flipped bit', () => {
    const s = seal(key, text, 'lockstep/chunk/v1/usr_a/ses_a/chk_a');
    expect(() => open(key, s.nonce, s.ciphertext, 'lockstep/chunk/v1/usr_b/ses_a/chk_a')).toThrow(DecryptionError);
    expect(() => open(randomKey(), s.nonce, s.ciphertext, 'lockstep/chunk/v1/usr_a/ses_a/chk_a')).toThrow(DecryptionError);
    const flipped = Buffer.from(s.ciphertext);
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => open(key, s.nonce, flipped, 'lockstep/chunk/v1/usr_a/ses_a/chk_a')).toThrow(DecryptionError);
    expect(() => open(key, s.nonce, s.ciphertext.subarray(0, 8), 'x')).toThrow(DecryptionError);
  });

  it('rejects keys of the wrong size', () => {
    expect(() => seal(Buffer.alloc(16), text, 'ctx')).toThrow(RangeError);
  });
});

describe('wrapKey / unwrapKey', () => {
  it('wraps a key under another, bound to its context', () => {
    const kek = randomKey();
    const dataKey = randomKey();
    const wrapped = wrapKey(kek, dataKey, 'lockstep/subject-key/v1/usr_1');
    expect(wrapped.includes(dataKey)).toBe(false);
    expect(unwrapKey(kek, wrapped, 'lockstep/subject-key/v1/usr_1').equals(dataKey)).toBe(true);
    expect(() => unwrapKey(kek, wrapped, 'lockstep/subject-key/v1/usr_2')).toThrow(DecryptionError);
  });
});
