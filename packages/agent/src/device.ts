// The agent's device credential: enrolled once with a code an admin made for the person
// (`lockstep agent enroll CODE`), kept in device.json (mode 0600) in the agent's directory. The
// device is known to the server by its enrollment id only: no host name, MAC address or account
// name is sent, now or later.
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DeviceCredential {
  server: string;
  id: string;
  subject: string;
  token: string;
}

export const DEVICE_FILE = 'device.json';

export function loadDevice(dir: string): DeviceCredential {
  const path = join(dir, DEVICE_FILE);
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`this agent is not enrolled (no ${path}): run \`lockstep agent enroll CODE --server URL\` with a device code an admin made for you`);
  }
  try {
    const d = JSON.parse(raw) as Partial<DeviceCredential>;
    if (typeof d.server === 'string' && typeof d.id === 'string' && typeof d.subject === 'string' && typeof d.token === 'string') return d as DeviceCredential;
  } catch {
    // Reported below.
  }
  throw new Error(`${path} is damaged; remove it and enroll again (\`lockstep agent enroll CODE\`)`);
}

function saveDevice(dir: string, credential: DeviceCredential): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, DEVICE_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(credential, null, 2), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return path;
}

/** Exchanges a device code for this agent's credential (platform `desktop`) and saves it. */
export async function enrollAgent(dir: string, server: string, code: string, label?: string): Promise<DeviceCredential & { path: string }> {
  const base = server.replace(/\/+$/, '');
  let res: Response;
  try {
    res = await fetch(`${base}/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: code.trim(), platform: 'desktop', ...(label ? { label } : {}) }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    throw new Error(`cannot reach the Lockstep server at ${base}; is it running (\`lockstep up\`) and is --server right?`);
  }
  const body = (await res.json().catch(() => ({}))) as { kind?: string; token?: string; device?: { id: string; subject: string }; message?: string };
  if (!res.ok) throw new Error(`enrollment refused: ${body.message ?? `HTTP ${res.status}`}`);
  if (body.kind !== 'device' || !body.device || !body.token) {
    throw new Error('that code enrolls a person, not a device: ask an admin for a device code (`lockstep users add … --device-code`)');
  }
  const credential = { server: base, id: body.device.id, subject: body.device.subject, token: body.token };
  return { ...credential, path: saveDevice(dir, credential) };
}
