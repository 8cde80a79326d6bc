import { describe, expect, it } from 'vitest';
import { recorderBundle, recorderScript } from './bundle.ts';

describe('recorderScript', () => {
  it('bundles once per process', async () => {
    const [a, b] = await Promise.all([recorderBundle(), recorderBundle()]);
    expect(a).toBe(b);
    expect(recorderBundle()).toBe(recorderBundle());
  });

  it('is a browser-only script: no require, no Node APIs, no zod', async () => {
    const code = await recorderBundle();
    expect(code).not.toMatch(/\brequire\s*\(/);
    expect(code).not.toMatch(/\bprocess\.|\bBuffer\b|node:|__dirname|import\.meta/);
    expect(code).not.toMatch(/JSON\.stringify/);
    expect(code).not.toContain('zod');
    // About half of it is the redactor's detectors, which must run in the page.
    expect(code.length).toBeLessThan(120_000);
  });

  it('prepends only the in-page options, as JSON', async () => {
    const script = await recorderScript({ badge: true, mouseMoveSampleMs: 20, onEvents: () => {} });
    const match = /^\(function\(__lockstepOptions\)\{[\s\S]*\}\)\((\{.*\})\);$/.exec(script);
    expect(match).not.toBeNull();
    expect(JSON.parse(match?.[1] ?? 'null')).toEqual({
      mouseMoveSampleMs: 20,
      scrollThrottleMs: 100,
      flushIntervalMs: 500,
      flushAtEvents: 200,
      badge: true,
      pauseShortcut: true,
    });
  });

  it('parses as a script', async () => {
    const script = await recorderScript();
    expect(() => new Function(script)).not.toThrow();
  });
});
