import { mkdirSync, readFileSync, renameSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Credentials this machine holds, per server. The file is created with mode 0600 in the user's
 * config directory (or LOCKSTEP_CONFIG); a token given in LOCKSTEP_TOKEN or --token wins.
 */
export interface Credential {
  token: string;
  id: string;
  roles?: string[];
  subject?: string;
}
export interface ServerCredentials {
  user?: Credential;
  device?: Credential;
}
type CredentialFile = Record<string, ServerCredentials>;

export const DEFAULT_PORT = 7878;

export function defaultServer(): string {
  return process.env.LOCKSTEP_SERVER ?? `http://127.0.0.1:${process.env.LOCKSTEP_PORT ?? DEFAULT_PORT}`;
}

export function credentialsPath(): string {
  if (process.env.LOCKSTEP_CONFIG) return process.env.LOCKSTEP_CONFIG;
  const base = process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config');
  return join(base, 'lockstep', 'credentials.json');
}

function readAll(): CredentialFile {
  const path = credentialsPath();
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as CredentialFile;
  } catch {
    throw new Error(`the credentials file ${path} is not valid JSON; remove it and enroll again`);
  }
}

export function loadCredentials(server: string): ServerCredentials {
  return readAll()[normalise(server)] ?? {};
}

export function saveCredential(server: string, kind: 'user' | 'device', credential: Credential): string {
  const path = credentialsPath();
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const all = readAll();
  const key = normalise(server);
  all[key] = { ...all[key], [kind]: credential };
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(all, null, 2), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return path;
}

function normalise(server: string): string {
  return server.replace(/\/+$/, '');
}

/** The token to use for a command: --token, then LOCKSTEP_TOKEN, then the saved credential. */
export function tokenFor(server: string, kind: 'user' | 'device', explicit?: string): string {
  const token = explicit || process.env.LOCKSTEP_TOKEN || loadCredentials(server)[kind]?.token;
  if (!token) {
    const what = kind === 'user' ? 'a person' : 'a device';
    throw new Error(
      `no ${kind} credential for ${normalise(server)}: enroll ${what} with \`lockstep enroll CODE --server ${normalise(server)}\` (an admin creates the code), or pass --token`,
    );
  }
  return token;
}
