// `lockstep redact`, run as the real command in its own process.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { LOCKSTEP_BIN } from './testing/spawn.ts';

function run(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOCKSTEP_BIN, 'redact', ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LOCKSTEP_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('lockstep redact', () => {
  it('masks stdin line by line, keeping shapes', async () => {
    const r = await run([], 'DB_PASSWORD=hunter22 psql -h db\nmail anna.smith@example.com please\nnothing here\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('DB_PASSWORD=xxxxxx99 psql -h db\nmail xxxx.xxxxx@xxxxxxx.xxx please\nnothing here\n');
  });

  it('writes placeholders or drops spans with --style, masks --term, keeps --keep kinds', async () => {
    expect((await run(['--style', 'placeholder'], 'key ghp_abcdefghijklmnopqrstuvwxyz0123456789 ok\n')).stdout).toBe('key ⟨github-token⟩ ok\n');
    expect((await run(['--style', 'drop'], 'to anna@example.com.\n')).stdout).toBe('to .\n');
    expect((await run(['--term', 'Nightingale', '--term', 'Globex'], 'Nightingale for globex\n')).stdout).toBe('Xxxxxxxxxxx for xxxxxx\n');
    expect((await run(['--keep', 'ip-address'], 'from 81.2.69.142\n')).stdout).toBe('from 81.2.69.142\n');
  });

  it('masks the body of a multi-line private key up to its END line', async () => {
    const r = await run([], 'before\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAabc\nZZZ\n-----END RSA PRIVATE KEY-----\nafter\n');
    expect(r.stdout).toBe('before\n-----XXXXX XXX XXXXXXX XXX-----\nXXXXxxXXXXXXXXXXxxx\nXXX\n-----XXX XXX XXXXXXX XXX-----\nafter\n');
  });

  it('--jsonl writes findings with JavaScript string offsets', async () => {
    const text = 'café ☕ call +44 20 7946 0958';
    const r = await run(['--jsonl'], `${JSON.stringify({ id: 'a', text })}\n${JSON.stringify({ id: 7, text: 'nothing' })}\n`);
    expect(r.code).toBe(0);
    const [a, b] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(a.id).toBe('a');
    expect(a.findings).toEqual([{ start: 12, end: 28, kind: 'phone', family: 'pii' }]);
    expect(text.slice(12, 28)).toBe('+44 20 7946 0958');
    expect(b).toEqual({ id: 7, findings: [] });
  });

  it('reports bad --jsonl lines with their line number, goes on, and exits non-zero', async () => {
    const r = await run(['--jsonl'], '{"id":"1","text":"a"}\nnot json\n\n{"id":"2"}\n{"id":"3","text":"b"}\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('line 2: not valid JSON');
    expect(r.stderr).toContain('line 4: "text" must be a string');
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(['1', '3']);
  });

  it('rejects a pattern that could stall the redactor, and a bad style, with a clear error', async () => {
    const bad = await run(['--pattern', '(a+)+b'], 'x\n');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('nested quantifiers');
    const style = await run(['--style', 'blur'], 'x\n');
    expect(style.code).not.toBe(0);
    expect(style.stderr).toContain('is not a style');
  });

  it('streams a large input', async () => {
    const line = 'user anna@example.com paid with 4111 1111 1111 1111 from 81.2.69.142\n';
    const r = await run([], line.repeat(50_000));
    expect(r.code).toBe(0);
    const out = r.stdout.split('\n');
    expect(out.length).toBe(50_001);
    expect(out[49_999]).toBe('user xxxx@xxxxxxx.xxx paid with 9999 9999 9999 9999 from 99.9.99.999');
  });

  it('has --help with examples', async () => {
    const r = await run(['--help'], '');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: lockstep redact/m);
    expect(r.stdout).toContain('Examples:');
  });
});
