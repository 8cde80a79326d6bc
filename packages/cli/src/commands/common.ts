import type { Command } from 'commander';
import { type Client, createClient } from '../client.ts';
import { defaultServer, tokenFor } from '../config.ts';

export interface Opts {
  server: string;
  token?: string;
  json?: boolean;
}

/** --server, --token and --json, the options every API command takes. */
export function withServer(cmd: Command): Command {
  return cmd
    .option('--server <url>', 'Lockstep server (env LOCKSTEP_SERVER)', defaultServer())
    .option('--token <token>', 'your token (default: the saved credential or LOCKSTEP_TOKEN)')
    .option('--json', 'print JSON');
}

export const userClient = (opts: Opts): Client => createClient(opts.server, tokenFor(opts.server, 'user', opts.token));
export const enc = encodeURIComponent;

/** Prints JSON with --json, else the text. */
export function print(opts: Opts, value: unknown, text: () => string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

/** A plain text table. */
export function table(rows: Array<Record<string, unknown>>, columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? '-' : Array.isArray(r[c]) ? (r[c] as unknown[]).join(',') : String(r[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (xs: string[]) => xs.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), ...cells.map(line)].join('\n');
}

/** An ISO time from --expires: a date/time, or a duration such as 30d or 12h. */
export function parseExpiry(value: string, now = Date.now()): string {
  const m = /^(\d+)([dh])$/.exec(value);
  if (m) return new Date(now + Number(m[1]) * (m[2] === 'd' ? 86_400_000 : 3_600_000)).toISOString();
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new Error(`"${value}" is not a time or a duration such as 30d or 12h`);
  return new Date(t).toISOString();
}
