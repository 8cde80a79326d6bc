import { describe, expect, it } from 'vitest';
import { urlCredentials } from './url-credentials.ts';
import { spans } from './testing.ts';

describe('url-credentials', () => {
  it('finds the password of a URL, not its user or host', () => {
    expect(spans(urlCredentials, 'postgres://admin:Pa55w0rd@db.example.com:5432/app')).toEqual([['url-password', 'Pa55w0rd']]);
    expect(spans(urlCredentials, 'redis://:s3cret@cache:6379/0')).toEqual([['url-password', 's3cret']]);
  });
  it('finds credential query parameters', () => {
    expect(spans(urlCredentials, 'GET /v1/items?api_key=abcd1234efgh5678&page=2')).toEqual([['url-token', 'abcd1234efgh5678']]);
    expect(spans(urlCredentials, 'wss://x.io/ws?token=eyAbc123.')).toEqual([['url-token', 'eyAbc123']]);
  });
  it('leaves URLs without credentials and placeholders alone', () => {
    expect(spans(urlCredentials, 'https://github.com/org/repo/pull/12?page=2 git@github.com:org/r.git https://user@host/x')).toEqual([]);
    expect(spans(urlCredentials, 'postgres://app:${DB_PASSWORD}@db/x and ?token=<token>')).toEqual([]);
  });
});
