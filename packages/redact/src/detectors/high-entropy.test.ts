import { describe, expect, it } from 'vitest';
import { highEntropy, looksRandom } from './high-entropy.ts';
import { matched } from './testing.ts';

describe('high-entropy', () => {
  it('finds random tokens that nothing names', () => {
    expect(matched(highEntropy, "here's the key: aZ3kQ9mPxL7vB2nR8tY4wE6uJ1")).toEqual(['aZ3kQ9mPxL7vB2nR8tY4wE6uJ1']);
    expect(matched(highEntropy, 'session=q8y1ssyywmhxok83ayz309a088pfne2u; Path=/')).toEqual(['q8y1ssyywmhxok83ayz309a088pfne2u']);
    expect(matched(highEntropy, '-H "X-Auth: L5PPQiXedhpWL9P7MWZxmd1qJXoqMcD4oIib0C/+"')).toEqual(['L5PPQiXedhpWL9P7MWZxmd1qJXoqMcD4oIib0C/+']);
  });
  it.each([
    '9fceb02d0ae598e95dc970b74767f19372d61af8',
    'd41d8cd98f00b204e9800998ecf8427e',
    '550e8400-e29b-41d4-a716-446655440000',
    'src/components/UserProfileCard.tsx',
    '/usr/local/lib/node_modules/typescript/lib/tsserver',
    'getUserAccountSettingsById i18nTranslationKeyV2Config base64EncodedSha256Digest',
    'SGVsbG8gd29ybGQgdGhpcyBpcyBhIHRlc3Q=',
    'sha512-ZmFrZUludGVncml0eUhhc2hGb3JUZXN0aW5nMTIzNDU2Nzg5MA==',
    'report_2024_Q3_final_v2 how-to-configure-nginx-reverse-proxy-2024',
    '/api/users/471c053a-da22-4f82-9c37-3d4b78f08473',
    'pod worker-4mgxx3xbg3-u2xco restarted',
    'wallet 0x7e6bd83766a080585db287453a62cb97878ab0c3',
    'MAX_RETRY_BACKOFF_MILLISECONDS',
  ])('leaves %s alone', (text) => expect(matched(highEntropy, text)).toEqual([]));

  it('judges the parts of a path one by one', () => {
    expect(matched(highEntropy, '/api/keys/aZ3kQ9mPxL7vB2nR8tY4wE6uJ1/rotate')).toEqual(['aZ3kQ9mPxL7vB2nR8tY4wE6uJ1']);
    expect(looksRandom('aZ3kQ9mPxL7vB2nR8tY4wE6uJ1')).toBe(true);
  });
});
