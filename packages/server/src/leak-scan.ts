import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Looks for plaintext in files: the check behind "no content on disk". A string can sit in a
 * file as UTF-8, as UTF-16LE, or inside base64 at any of three byte alignments; each form is
 * searched for in every byte of every file.
 */
export function byteForms(text: string): Array<[name: string, bytes: Buffer]> {
  const utf8 = Buffer.from(text, 'utf8');
  const out: Array<[string, Buffer]> = [
    ['utf8', utf8],
    ['utf16le', Buffer.from(text, 'utf16le')],
  ];
  for (let shift = 0; shift < 3; shift++) {
    // Encode with `shift` leading bytes, then keep only the characters that depend on the text alone.
    const b64 = Buffer.concat([Buffer.alloc(shift), utf8]).toString('base64');
    const start = Math.ceil((shift * 4) / 3) + 1;
    const end = Math.floor(((shift + utf8.length) * 4) / 3) - 1;
    if (end - start >= 4) out.push([`base64+${shift}`, Buffer.from(b64.slice(start, end), 'ascii')]);
  }
  return out;
}

/** Every regular file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) out.push(...filesUnder(path));
    else if (st.isFile()) out.push(path);
  }
  return out;
}

/** Files under `dir` whose bytes contain `needle`. */
export function filesContaining(dir: string, needle: Buffer): string[] {
  return filesUnder(dir).filter((file) => readFileSync(file).includes(needle));
}

export interface LeakHit {
  file: string;
  form: string;
}

/** Where any form of any of the texts occurs in the files under `dir` (and in `extraFiles`). */
export function findPlaintext(dir: string, texts: readonly string[], extraFiles: readonly string[] = []): LeakHit[] {
  const forms = texts.flatMap((t) => byteForms(t));
  const hits: LeakHit[] = [];
  for (const file of [...filesUnder(dir), ...extraFiles]) {
    const bytes = readFileSync(file);
    for (const [form, needle] of forms) if (bytes.includes(needle)) hits.push({ file, form });
  }
  return hits;
}
