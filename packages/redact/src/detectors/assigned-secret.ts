// Values given to password-, secret- and token-like names, in the forms people type them:
//   .env / shell / ini      DB_PASSWORD=hunter2   export API_TOKEN=…   PGPASSWORD=… psql
//   YAML / properties       password: hunter2     spring.datasource.password=…
//   code and JSON           password = "x"   "apiKey": "…"   $token = '…'   {secret => "…"}
//   command lines           --password hunter2   --api-key=…
//   chat and prose          my password is Summer2024!   the wifi password: Xk9#mP2q
// Unquoted values count only where unquoted values are literals (env, YAML, flags, prose); in code,
// `token = getToken()` or `password: string` is not a value. Placeholders (`${VAR}`, `<token>`,
// `your-api-key`, `null`) are not values either. Only the value is reported.
import type { Detector } from './detector.ts';
import type { Finding } from '../types.ts';
import { isAlnum, isDigit, isLower, isUpper } from './util.ts';
import { PLACEHOLDER_VALUE } from './url-credentials.ts';

const KEYWORD = /pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|access[_-]?key|auth[_-]?key|private[_-]?key|signing[_-]?key|encryption[_-]?key|credentials?/gi;
const MAX_NAME = 64;
const MAX_VALUE = 512;

const isNameChar = (c: number) => isAlnum(c) || c === 95 || c === 45 || c === 46;
const isSpace = (c: number) => c === 32 || c === 9;

/** Last words of a name that make it about a secret, not the secret: password_length, tokenUrl, … */
const NOT_A_SECRET = new Set([
  'length', 'len', 'file', 'path', 'dir', 'url', 'uri', 'endpoint', 'id', 'ids', 'type', 'types', 'expiry', 'expires', 'expiration', 'exp', 'ttl', 'timeout',
  'count', 'min', 'max', 'policy', 'policies', 'name', 'names', 'field', 'fields', 'input', 'label', 'placeholder', 'prompt', 'reset', 'required', 'enabled',
  'disabled', 'header', 'format', 'regex', 'pattern', 'strength', 'hint', 'hash', 'hashed', 'digest', 'salt', 'rounds', 'algorithm', 'algo', 'manager', 'store',
  'provider', 'service', 'validator', 'validation', 'error', 'errors', 'message', 'msg', 'text', 'title', 'changed', 'updated', 'created', 'at', 'mode', 'kind',
  'version', 'size', 'bits', 'usage', 'env', 'var', 'variable', 'ref', 'arn', 'location', 'source', 'config', 'settings', 'option', 'options', 'visible', 'shown',
  'show', 'toggle', 'icon', 'button', 'form', 'page', 'view', 'dialog', 'modal', 'component', 'props', 'state', 'class', 'style', 'key_id', 'index', 'list',
  'cache', 'count', 'budget', 'limit', 'limits', 'used', 'usage', 'stats', 'metrics', 'count', 'type', 'pos', 'position', 'offset', 'start', 'end', 'set', 'get',
]);
const TYPE_OR_KEYWORD = /^(?:null|nil|none|undefined|true|false|string|str|number|int|integer|bool|boolean|any|unknown|object|bytes|optional|required|void|never|secret|password|token|env|string\[\]|String|Secret|SecretStr|Option<String>|\|)$/i;
const MESSAGE_WORDS = /\b(?:your|enter|please|must|invalid|required|incorrect|wrong|the|is|are|not|at least|characters|here)\b/i;
const PLACEHOLDER_WORDS = /^(?:your|my|insert|enter|replace|put|add|change|example|sample|dummy|fake|test|todo|tbd|xxx)[-_ .]|[-_ ](?:here|goes[-_ ]here|placeholder)$|^(?:redacted|hidden|masked|changeme_?later|todo|tbd|example|sample|dummy|placeholder|secret|password|passwd|token|api[-_]?key|none|null|nil|undefined|empty|string|value|\*{3,}|x{3,})$/i;
const TEMPLATE = /\$\{|\{\{|#\{|%\(|%s\b|<%|\$\(/;
const CODE_VALUE = /[()[\]{}]|^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+[;,]?$|^(?:await|new|this|self|os|process|env|req|request|config|settings|ctx)\b/;

function nameIsSecret(name: string, kwStart: number, kwEnd: number): boolean {
  // the keyword must be a word of the name: at a separator, a camelCase edge, or in an ALLCAPS name
  const allCaps = name === name.toUpperCase();
  const b = kwStart > 0 ? name.charCodeAt(kwStart - 1) : 0;
  const a = kwEnd < name.length ? name.charCodeAt(kwEnd) : 0;
  const kwFirst = name.charCodeAt(kwStart);
  const startOk = kwStart === 0 || !isAlnum(b) || allCaps || (isLower(b) && isUpper(kwFirst)) || isDigit(b);
  const endOk = kwEnd === name.length || !isAlnum(a) || isUpper(a) || (allCaps && a !== 83 /* S */) || isDigit(a);
  if (!startOk || !endOk) return false;
  // `pass` alone must end the name (DB_PASS, --pass), so that passenger/compass/bypass stay out
  if (kwEnd - kwStart === 4 && /^pass$/i.test(name.slice(kwStart, kwEnd)) && kwEnd !== name.length) return false;
  const words = name
    .slice(kwEnd)
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  if (words.length > 0 && NOT_A_SECRET.has(words[words.length - 1]!)) return false;
  if (words.length > 1 && NOT_A_SECRET.has(words.slice(-2).join('_'))) return false;
  return true;
}

function quotedValueOk(v: string): boolean {
  if (v.length < 3 || v.length > MAX_VALUE) return false;
  if (v.startsWith('-----BEGIN')) return false; // a PEM block: private-key.ts reports it whole
  if (PLACEHOLDER_VALUE.test(v) || PLACEHOLDER_WORDS.test(v) || TEMPLATE.test(v)) return false;
  if (/\s/.test(v) && MESSAGE_WORDS.test(v)) return false; // a UI message, not a passphrase
  return true;
}

/** `literal`: the syntax says the value is a literal (KEY=value, --flag value), so code-shaped values are allowed. */
function unquotedValueOk(v: string, literal = false): boolean {
  if (v.length < 3) return false;
  if (TYPE_OR_KEYWORD.test(v) || PLACEHOLDER_VALUE.test(v) || PLACEHOLDER_WORDS.test(v) || TEMPLATE.test(v)) return false;
  if (/^[$%{<([@&*!|>#/?]/.test(v)) return false;
  if (!literal && CODE_VALUE.test(v)) return false;
  return true;
}

/** A prose value ("my password is X") must look like a password, not like the next word. */
function proseValueOk(v: string): boolean {
  if (v.length < 6 || !unquotedValueOk(v)) return false;
  let digit = false;
  let symbol = false;
  let innerUpper = false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (isDigit(c)) digit = true;
    else if (isUpper(c) && i > 0) innerUpper = true;
    else if (!isAlnum(c)) symbol = true;
  }
  return digit || symbol || innerUpper;
}

function lineStartBefore(text: string, i: number): boolean {
  // only indentation, `export`, `set`, `- ` (YAML list) or `$` before the name on its line;
  // looked for within 40 characters, so a long line costs nothing
  let k = i - 1;
  while (k >= 0 && i - k <= 40 && text.charCodeAt(k) !== 10 && text.charCodeAt(k) !== 13) k--;
  if (k >= 0 && i - k > 40) return false;
  return /^[ \t]*(?:export[ \t]+|set[ \t]+|setx[ \t]+|-[ \t]+|\$)?$/.test(text.slice(k + 1, i));
}

export const assignedSecret: Detector = {
  name: 'assigned-secret',
  family: 'secret',
  kinds: ['password', 'assigned-secret'],
  description: 'values assigned to password/secret/token/api-key names (env, YAML, code, JSON, flags, prose)',
  find(text: string, out: Finding[]) {
    KEYWORD.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = KEYWORD.exec(text)) !== null) {
      const kwAt = m.index;
      // the whole name around the keyword (bounded both ways)
      let ns = kwAt;
      while (ns > 0 && kwAt - ns < MAX_NAME && isNameChar(text.charCodeAt(ns - 1))) ns--;
      while (ns < kwAt && !isAlnum(text.charCodeAt(ns)) && text.charCodeAt(ns) !== 95) ns++;
      let ne = kwAt + m[0].length;
      while (ne < text.length && ne - kwAt < MAX_NAME && isNameChar(text.charCodeAt(ne))) ne++;
      while (ne > kwAt + m[0].length && text.charCodeAt(ne - 1) === 46) ne--; // "password." ends a sentence
      KEYWORD.lastIndex = ne;
      // query parameters are url-credentials' business (the value ends at '&')
      if (ns > 0 && (text.charCodeAt(ns - 1) === 63 || text.charCodeAt(ns - 1) === 38)) continue;
      const name = text.slice(ns, ne);
      if (!nameIsSecret(name, kwAt - ns, kwAt - ns + m[0].length)) continue;
      const isPassword = /^(?:pass|pwd)/i.test(m[0]);
      const kind = isPassword ? 'password' : 'assigned-secret';
      const found = valueAfter(text, ns, ne);
      if (found) {
        if (found.ok !== false) out.push({ start: found.start, end: found.end, kind, family: 'secret' });
        KEYWORD.lastIndex = Math.max(KEYWORD.lastIndex, found.end);
      }
    }
    KEYWORD.lastIndex = 0;
  },
};

interface Value {
  start: number;
  end: number;
  /** false: a value was there but it is not a secret (a placeholder, code); scanning resumes after it */
  ok?: false;
}
const skip = (end: number): Value => ({ start: end, end, ok: false });

/** The value given to the name at [ns, ne), if any. */
function valueAfter(text: string, ns: number, ne: number): Value | undefined {
  const before = ns > 0 ? text.charCodeAt(ns - 1) : 0;
  const flag = ns >= 2 && text.charCodeAt(ns - 1) === 45 && text.charCodeAt(ns - 2) === 45;
  let i = ne;
  // closing quote of a quoted name ("apiKey":, ['token'] =), then a closing bracket
  if ((before === 34 || before === 39 || before === 96) && text.charCodeAt(i) === before) i++;
  if (text.charCodeAt(i) === 93) i++;
  const spaceBefore = isSpace(text.charCodeAt(i));
  let k = i;
  while (k < text.length && k - i < 4 && isSpace(text.charCodeAt(k))) k++;
  // the operator
  let op = '';
  const c0 = text.charCodeAt(k);
  const c1 = text.charCodeAt(k + 1);
  if (c0 === 61 /* = */) op = c1 === 62 ? '=>' : c1 === 61 || c1 === 126 ? '' : '=';
  else if (c0 === 58 /* : */) op = c1 === 61 ? ':=' : c1 === 58 ? '' : ':';
  else if (flag && spaceBefore) op = ' ';
  else if (/^(?:is|was)[ \t]/i.test(text.slice(k, k + 4)) && spaceBefore) op = 'is';
  if (op === '' || op === '==') return undefined;
  if (op !== ' ') k += op === 'is' ? 2 : op.length;
  const spaceAfter = isSpace(text.charCodeAt(k));
  let v = k;
  while (v < text.length && v - k < 4 && isSpace(text.charCodeAt(v))) v++;
  if (op === 'is' && v === k) return undefined;
  const q = text.charCodeAt(v);
  // Python/JS string prefixes: f"…{x}" is a template, r"…"/b"…" are literals
  let quote = q === 34 || q === 39 || q === 96 ? q : 0;
  if (!quote && (q === 114 || q === 98) && (text.charCodeAt(v + 1) === 34 || text.charCodeAt(v + 1) === 39)) {
    v++;
    quote = text.charCodeAt(v);
  }
  if (quote) {
    const start = v + 1;
    let end = start;
    const limit = Math.min(text.length, start + MAX_VALUE + 1);
    while (end < limit && text.charCodeAt(end) !== quote && text.charCodeAt(end) !== 10) end++;
    if (text.charCodeAt(end) !== quote) return undefined;
    return quotedValueOk(text.slice(start, end)) ? { start, end } : skip(end);
  }
  // unquoted: read to whitespace, then drop closing punctuation
  const start = v;
  let end = start;
  const limit = Math.min(text.length, start + MAX_VALUE);
  while (end < limit && text.charCodeAt(end) > 32) end++;
  const raw = text.slice(start, end);
  const codeEnding = /[;,]$/.test(raw);
  while (end > start && /[.,;)\]}'"]/.test(text[end - 1]!)) end--;
  const value = text.slice(start, end);
  const envStyle = op === '=' && !spaceBefore && !spaceAfter; // KEY=value, --key=value
  const lineStyle = (op === '=' || op === ':') && lineStartBefore(text, ns); // YAML, properties, .env with spaces
  if (flag || envStyle) return unquotedValueOk(value, true) ? { start, end } : skip(end);
  if (lineStyle && !(op === ':' && codeEnding)) return unquotedValueOk(value) && (op !== ':' || !/^[A-Z][A-Za-z]*(?:<.*>)?(?:\[\])?$/.test(value)) ? { start, end } : skip(end);
  if (op === 'is' || op === ':') return proseValueOk(value) ? { start, end } : skip(end);
  return skip(end);
}
