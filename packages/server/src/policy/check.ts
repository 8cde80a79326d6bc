import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { PolicySources } from './authorize.ts';
import { PolicyPromiseError, checkPolicySources } from './promises.ts';

/**
 * The policy check at start-up. The full check evaluates a few thousand requests (about a
 * second); a pass is remembered, in this process and in a directory private to the user
 * (`$XDG_CACHE_HOME/lockstep/policy-checks`, mode 0700, trusted only if owned by the user and
 * closed to others), under a key that covers the schema, the policies and the code of the check
 * itself (promises.ts, authorize.ts): any change to any of them runs the check again. Failures
 * are never remembered. LOCKSTEP_POLICY_CHECK_CACHE=0 turns the file cache off.
 */

const passed = new Set<string>();

function cacheDir(): string | undefined {
  if (process.env.LOCKSTEP_POLICY_CHECK_CACHE === '0') return undefined;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'lockstep', 'policy-checks');
}

function privateDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    return st.isDirectory() && (st.mode & 0o077) === 0 && (typeof process.getuid !== 'function' || st.uid === process.getuid());
  } catch {
    return false;
  }
}

function keyOf(sources: PolicySources): string {
  const h = createHash('sha256');
  for (const file of ['./promises.ts', './authorize.ts']) h.update(readFileSync(new URL(file, import.meta.url)));
  return h.update('\0').update(sources.schema).update('\0').update(sources.policies).digest('hex');
}

/**
 * Returns the sources if they keep every promise of policy/promises.ts; throws
 * PolicyPromiseError naming the broken promises and requests if not (and PolicyLoadError if they
 * do not even load).
 */
export function verifiedPolicies(sources: PolicySources): PolicySources {
  const key = keyOf(sources);
  if (passed.has(key)) return sources;
  const dir = cacheDir();
  const marker = dir && join(dir, `${key}.ok`);
  if (marker && privateDir(dir)) {
    try {
      const st = statSync(marker);
      if (st.isFile() && (typeof process.getuid !== 'function' || st.uid === process.getuid())) {
        passed.add(key);
        return sources;
      }
    } catch {
      // not checked yet
    }
  }
  const report = checkPolicySources(sources);
  if (report.violations.length > 0) throw new PolicyPromiseError(report);
  passed.add(key);
  if (marker && privateDir(dir)) {
    try {
      closeSync(openSync(marker, 'w', 0o600));
    } catch {
      // a cache that cannot be written only costs time
    }
  }
  return sources;
}
