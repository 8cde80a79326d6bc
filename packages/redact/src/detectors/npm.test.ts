import { describe, expect, it } from 'vitest';
import { npm } from './npm.ts';
import { matched } from './testing.ts';

describe('npm', () => {
  it('finds access tokens and .npmrc auth values', () => {
    expect(matched(npm, 'NPM_TOKEN=npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789')).toEqual(['npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789']);
    expect(matched(npm, '//registry.npmjs.org/:_authToken=abcd1234-ef56-7890')).toEqual(['abcd1234-ef56-7890']);
  });
  it('leaves environment references alone', () => expect(matched(npm, '//registry.npmjs.org/:_authToken=${NPM_TOKEN}')).toEqual([]));
});
