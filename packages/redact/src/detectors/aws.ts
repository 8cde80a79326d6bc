// AWS: access key ids (AKIA long-term, ASIA temporary, and the rarer ABIA/ACCA/A3T prefixes) are
// self-describing; secret access keys are 40 base64 characters with nothing to recognise them
// by, so they count only next to a name that says what they are or on a line with a key id.
import type { Detector } from './detector.ts';
import { scanTokens, type TokenRule } from './tokens.ts';
import { isAlnum, isDigit, isUpper, isHex } from './util.ts';

const isKeyIdChar = (c: number) => isUpper(c) || isDigit(c);
const isB64 = (c: number) => isAlnum(c) || c === 43 || c === 47;

/** Names under which a secret access key is written: aws_secret_access_key, SecretAccessKey, AWS_SECRET_KEY, … */
const SECRET_NAME = /(?:secret_?access_?key|aws_?secret(?:_?key)?)["']?[ \t]{0,4}(?::=|=>|[:=])[ \t]{0,4}["']?/gi;
const KEY_ID = /(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}/;
const SECRET_ON_LINE = /[A-Za-z0-9/+]{40}/g;

function looksLikeSecretKey(v: string): boolean {
  // not a hex digest (a sha1 is also 40 characters), and mixed like base64
  let hex = true;
  let upper = false;
  let lower = false;
  let digit = false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (!isHex(c)) hex = false;
    if (isUpper(c)) upper = true;
    else if (c >= 97 && c <= 122) lower = true;
    else if (isDigit(c)) digit = true;
  }
  return !hex && upper && lower && (digit || v.includes('/') || v.includes('+'));
}

const KEY_ID_RULE: TokenRule = { kind: 'aws-access-key-id', prefix: /A(?:KIA|SIA|BIA|CCA|3T[A-Z0-9])/g, body: isKeyIdChar, min: 20, max: 20 };
const SECRET_RULE: TokenRule = {
  kind: 'aws-secret-access-key',
  prefix: SECRET_NAME,
  body: isB64,
  min: 40,
  max: 40,
  valueOnly: true,
  before: isAlnum,
  validate: (token) => looksLikeSecretKey(token.slice(token.length - 40)),
};

export const aws: Detector = {
  name: 'aws',
  family: 'secret',
  kinds: ['aws-access-key-id', 'aws-secret-access-key'],
  description: 'AWS access key ids; secret access keys next to their name or a key id',
  gate: (f) => f.maxRun >= 20,
  find(text, out) {
    scanTokens(text, out, 'secret', KEY_ID_RULE);
    scanTokens(text, out, 'secret', SECRET_RULE);
    // a 40-character base64 word on the same line as an access key id (credentials.csv, `aws configure` output)
    if (!KEY_ID.test(text)) return;
    let lineStart = 0;
    while (lineStart < text.length) {
      let lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd === -1) lineEnd = text.length;
      const line = text.slice(lineStart, lineEnd);
      if (KEY_ID.test(line)) {
        SECRET_ON_LINE.lastIndex = 0;
        let m: RegExpExecArray | null;
        while ((m = SECRET_ON_LINE.exec(line)) !== null) {
          const s = m.index;
          const e = s + 40;
          const before = s > 0 ? line.charCodeAt(s - 1) : 0;
          const after = e < line.length ? line.charCodeAt(e) : 0;
          if (isB64(before) || isB64(after) || after === 61) {
            // inside a longer word: skip the rest of that word
            let k = e;
            while (k < line.length && isB64(line.charCodeAt(k))) k++;
            SECRET_ON_LINE.lastIndex = k;
            continue;
          }
          if (looksLikeSecretKey(m[0])) out.push({ start: lineStart + s, end: lineStart + e, kind: 'aws-secret-access-key', family: 'secret' });
        }
      }
      lineStart = lineEnd + 1;
    }
  },
};
