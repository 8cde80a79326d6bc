// npm: access tokens (npm_ + 36) and auth lines of an .npmrc (`//registry/:_authToken=…`, `_auth=…`, `_password=…`).
import { tokenDetector } from './tokens.ts';
import { isAlnum } from './util.ts';
import { COLON, EQ, UNDERSCORE, has } from './features.ts';

const isValueChar = (c: number) => c > 32 && c !== 34 && c !== 39 && c !== 127;

export const npm = tokenDetector('npm', 'npm access tokens (npm_) and .npmrc auth values', [
  { kind: 'npm-token', prefix: /npm_/g, body: isAlnum, min: 40, max: 40 },
  { kind: 'npm-token', prefix: /:_(?:authToken|auth|password)[ \t]{0,2}=[ \t]{0,2}/g, body: isValueChar, min: 8, max: 512, valueOnly: true, gate: (f) => has(f, COLON | UNDERSCORE | EQ), before: () => false, validate: (t) => !t.includes('${') },
]);
