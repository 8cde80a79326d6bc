import { describe, expect, it } from 'vitest';
import { otherTokens } from './other-tokens.ts';
import { spans } from './testing.ts';

describe('other-tokens', () => {
  it('finds each format', () => {
    const hex = (n: number) => '0123456789abcdef'.repeat(8).slice(0, n);
    expect(spans(otherTokens, `dop_v1_${hex(64)}`)).toEqual([['digitalocean-token', `dop_v1_${hex(64)}`]]);
    expect(spans(otherTokens, 'VAULT_TOKEN=hvs.CAESIAbCdEfGhIjKlMnOpQrStUv')).toEqual([['vault-token', 'hvs.CAESIAbCdEfGhIjKlMnOpQrStUv']]);
    expect(spans(otherTokens, `key-${hex(32)}`)).toEqual([['mailgun-key', `key-${hex(32)}`]]);
    expect(spans(otherTokens, `PMAK-${hex(24)}-${hex(34)}`)).toEqual([['postman-key', `PMAK-${hex(24)}-${hex(34)}`]]);
    expect(spans(otherTokens, `AGE-SECRET-KEY-1${'QWERTYUIOPASDFGHJKLZXCVBNM0123456789'.repeat(2).slice(0, 58)}`)).toHaveLength(1);
  });
  it('leaves words alone', () => expect(spans(otherTokens, 'monkey-business hvs.x key-value')).toEqual([]));
});
