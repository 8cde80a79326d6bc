// PEM private-key blocks (PKCS#1/#8, EC, DSA, OpenSSH, PGP, encrypted), whether with real line
// breaks or JSON-escaped `\n` (a GCP service-account key file). The whole block is the finding.
// A block without its END line (a paste cut short, a keystroke stream mid-way) is masked up to
// the end of its base64 body, so a half-typed key never leaks.
import type { Detector } from './detector.ts';
import { isAlnum } from './util.ts';
import { DASH, has } from './features.ts';

const MAX_BLOCK = 32 * 1024;
const LABEL = /^-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP |SSH2 ENCRYPTED )?PRIVATE KEY(?: BLOCK)?)-----/;
const isB64 = (c: number) => isAlnum(c) || c === 43 || c === 47 || c === 61;
const HEADER = /^[A-Za-z-]{1,32}: /;
const isLineEnd = (text: string, i: number) => text.charCodeAt(i) === 10 || text.charCodeAt(i) === 13 || (text.charCodeAt(i) === 92 && text.charCodeAt(i + 1) === 110);

export const privateKey: Detector = {
  name: 'private-key',
  family: 'secret',
  kinds: ['private-key'],
  description: 'PEM private-key blocks (also JSON-escaped, also without their END line)',
  gate: (f) => has(f, DASH),
  find(text, out) {
    let nextEnd = -2; // cached position of the next "-----END " (positions only grow: linear overall)
    let from = 0;
    for (let i = text.indexOf('-----BEGIN ', from); i !== -1; i = text.indexOf('-----BEGIN ', from)) {
      from = i + 11;
      const head = LABEL.exec(text.slice(i, i + 80));
      if (!head) continue;
      const bodyStart = i + head[0].length;
      if (nextEnd !== -1 && nextEnd < bodyStart) nextEnd = text.indexOf('-----END ', bodyStart);
      let end: number;
      const footer = `-----END ${head[1]}-----`;
      if (nextEnd !== -1 && nextEnd - bodyStart <= MAX_BLOCK && text.startsWith(footer, nextEnd)) {
        end = nextEnd + footer.length;
      } else {
        // no END line: the body runs over base64 lines and header lines ("Proc-Type: 4,ENCRYPTED"),
        // separated by real or JSON-escaped line breaks, and stops at anything else (a blank line, prose)
        end = bodyStart;
        const limit = Math.min(text.length, bodyStart + MAX_BLOCK);
        let k = bodyStart;
        let afterHeader = false; // headers end with a blank line
        while (k < limit) {
          let brk = 0;
          if (text.charCodeAt(k) === 13 && text.charCodeAt(k + 1) === 10) brk = 2;
          else if (text.charCodeAt(k) === 10) brk = 1;
          else if (text.charCodeAt(k) === 92 && text.charCodeAt(k + 1) === 110) brk = 2; // \n
          if (brk === 0) break;
          let e = k + brk;
          if (HEADER.test(text.slice(e, e + 40))) {
            // a header line ("Proc-Type: 4,ENCRYPTED"): runs to the line break
            while (e < limit && !isLineEnd(text, e)) e++;
            afterHeader = true;
          } else {
            while (e < limit && isB64(text.charCodeAt(e))) e++;
            if (e === k + brk && !afterHeader) break; // a blank line ends the body
            afterHeader = false;
            if (e < text.length && !isLineEnd(text, e)) break; // prose, not base64
          }
          end = e;
          k = e;
        }
      }
      out.push({ start: i, end, kind: 'private-key', family: 'secret' });
      from = Math.max(from, end);
    }
  },
};
