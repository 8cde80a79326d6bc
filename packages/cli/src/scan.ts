import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every encoding in which a leaked string could sit in a file. */
export function encodings(needle: string): Buffer[] {
  const utf8 = Buffer.from(needle, 'utf8');
  const forms = [utf8, Buffer.from(needle, 'utf16le'), Buffer.from(utf8.toString('base64').replace(/=+$/, ''))];
  // base64 of the needle at the two other alignments inside a longer text
  for (const pad of [1, 2]) {
    const b64 = Buffer.concat([Buffer.alloc(pad), utf8]).toString('base64');
    forms.push(Buffer.from(b64.slice(4, b64.length - 4)));
  }
  return forms.filter((f) => f.length >= 4);
}

export interface Hit {
  file: string;
  form: number;
}

/** Scans every byte of every file under `dir` (and the extra files) for any encoding of the needles. */
export function findInFiles(dir: string, needles: string[], extraFiles: string[] = []): Hit[] {
  const files: string[] = [...extraFiles];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) files.push(p);
    }
  };
  walk(dir);
  const hits: Hit[] = [];
  const forms = needles.flatMap((n) => encodings(n));
  for (const file of files) {
    const bytes = readFileSync(file);
    forms.forEach((form, i) => {
      if (bytes.includes(form)) hits.push({ file, form: i });
    });
  }
  return hits;
}
