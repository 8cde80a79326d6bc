import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { resolveSample, serveSamples } from '../../../samples/serve.ts';

let samples: Awaited<ReturnType<typeof serveSamples>>;
beforeAll(async () => {
  samples = await serveSamples();
});
afterAll(() => samples.close());

/** A raw GET, so that paths reach the server exactly as written (fetch would normalise them). */
function get(path: string, method = 'GET'): Promise<{ status: number; type: string | undefined; body: string; location: string | undefined }> {
  const { port } = new URL(samples.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body, location: res.headers.location }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serveSamples', () => {
  it('binds to 127.0.0.1 on a random port and serves the sample app with content types', async () => {
    expect(samples.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await get('/signup/');
    expect(index.status).toBe(200);
    expect(index.type).toBe('text/html; charset=utf-8');
    expect(index.body).toContain('<label for="username">User name</label>');
    expect((await get('/signup/app.js')).type).toBe('text/javascript; charset=utf-8');
    expect((await get('/signup/styles.css')).type).toBe('text/css; charset=utf-8');
    expect((await get('/signup/frame.html')).status).toBe(200);
    expect(await get('/signup')).toMatchObject({ status: 301, location: '/signup/' });
    expect((await get('/signup/', 'HEAD')).body).toBe('');
    expect((await get('/signup/', 'POST')).status).toBe(405);
  });

  it('refuses traversal, hidden files and anything but web assets', async () => {
    for (const path of ['/../package.json', '/..%2fpackage.json', '/signup/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/serve.ts', '/signup/missing.html', '/%00', '/%E0%A4%A']) {
      expect((await get(path)).status, path).toBe(404);
    }
    expect(await resolveSample('/../../etc/passwd')).toBeNull();
    expect(await resolveSample('/signup/index.html')).toMatch(/samples\/signup\/index\.html$/);
  });
});
