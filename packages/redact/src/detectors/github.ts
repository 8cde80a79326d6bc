// GitHub tokens: classic (ghp_ personal, gho_ OAuth, ghu_ user-to-server, ghs_ server-to-server,
// ghr_ refresh: 36 base62 characters) and fine-grained personal tokens (github_pat_ 22 _ 59).
import { tokenDetector } from './tokens.ts';
import { isAlnum, isWord } from './util.ts';

export const github = tokenDetector('github', 'GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)', [
  { kind: 'github-token', prefix: /gh[pousr]_/g, body: isAlnum, min: 40, max: 40 },
  { kind: 'github-token', prefix: /github_pat_/g, body: isWord, min: 93, max: 93, shape: /^github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}$/ },
]);
