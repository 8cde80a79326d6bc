import { describe, expect, it } from 'vitest';
import { authHeader } from './auth-header.ts';
import { spans } from './testing.ts';

describe('auth-header', () => {
  it('finds bearer/basic credentials and curl -u passwords', () => {
    expect(spans(authHeader, 'Authorization: Bearer 0a1b2c3d4e5f6a7b8c9d')).toEqual([['auth-header', '0a1b2c3d4e5f6a7b8c9d']]);
    expect(spans(authHeader, 'authorization: Basic dXNlcjpodW50ZXIyMjI=')).toEqual([['auth-header', 'dXNlcjpodW50ZXIyMjI=']]);
    expect(spans(authHeader, 'curl -u admin:S3cret! https://x')).toEqual([['password', 'S3cret!']]);
  });
  it('leaves prose about authentication alone', () => {
    expect(spans(authHeader, 'Bearer authentication and Basic auth are supported; token based login')).toEqual([]);
  });
});
