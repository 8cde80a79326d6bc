// Docker Hub personal and organisation access tokens (dckr_pat_, dckr_oat_), and the base64
// `user:password` in a ~/.docker/config.json `"auth"` entry.
import { tokenDetector } from './tokens.ts';
import { isAlnum } from './util.ts';
import { COLON, DQUOTE, has } from './features.ts';

const isB64 = (c: number) => isAlnum(c) || c === 43 || c === 47 || c === 61;

export const docker = tokenDetector('docker', 'Docker Hub access tokens (dckr_pat_, dckr_oat_), config.json auth', [
  { kind: 'docker-token', prefix: /dckr_(?:pat|oat)_/g, min: 36, max: 80 },
  { kind: 'docker-token', prefix: /"auth"[ \t]{0,4}:[ \t]{0,4}"/g, body: isB64, min: 8, max: 1024, valueOnly: true, gate: (f) => has(f, DQUOTE | COLON), before: () => false },
]);
