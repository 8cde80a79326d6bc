import { describe, expect, it } from 'vitest';
import { docker } from './docker.ts';
import { matched } from './testing.ts';

describe('docker', () => {
  it('finds access tokens and config.json auth', () => {
    expect(matched(docker, 'dckr_pat_AbCdEfGhIjKlMnOpQrStUvWxYz0')).toEqual(['dckr_pat_AbCdEfGhIjKlMnOpQrStUvWxYz0']);
    expect(matched(docker, '{"auths": {"https://index.docker.io/v1/": {"auth": "dXNlcjpodW50ZXIy"}}}')).toEqual(['dXNlcjpodW50ZXIy']);
  });
  it('ignores short look-alikes', () => expect(matched(docker, 'dckr_pat_x')).toEqual([]));
});
