// The labelled redaction corpus: realistic lines (shell commands, .env files, configs, code,
// chat messages, logs, signatures, forms) with secrets and personal data in them, and decoy lines
// that only look like they might contain some. Deterministic: a seeded PRNG, so
// `npm run corpus -w @lockstep/redact` rewrites corpus.jsonl byte for byte.
//
// Each case: { id, category, text, findings: [{ start, end, kind, family }] } with offsets as
// JavaScript string indices. An expected finding is the sensitive value itself (a password, not
// `password=`; a whole PEM block; the password of a URL, not its user or host).
import type { Family, Finding } from '../src/types.ts';
import { ALNUM, B64, B64URL, DIGITS, Gen, HEX, LOWER, UPPER, mulberry32 } from './prng.ts';

export interface CorpusCase {
  id: string;
  /** `secret:<kind>`, `pii:<kind>`, `custom:<kind>` or `decoy:<what>` */
  category: string;
  text: string;
  findings: Finding[];
}

/** The program configuration the corpus's custom-term lines are written for. */
export const CORPUS_TERMS = [
  { term: 'Nightingale' },
  { term: 'Globex Corporation' },
  { pattern: 'PRJ-\\d{4}', kind: 'project-id' },
] as const;

type Part = string | { v: string; kind: string; family: Family };
const sec = (kind: string, v: string): Part => ({ v, kind, family: 'secret' });
const pii = (kind: string, v: string): Part => ({ v, kind, family: 'pii' });

function build(parts: readonly Part[]): { text: string; findings: Finding[] } {
  let text = '';
  const findings: Finding[] = [];
  for (const p of parts) {
    if (typeof p === 'string') text += p;
    else {
      findings.push({ start: text.length, end: text.length + p.v.length, kind: p.kind, family: p.family });
      text += p.v;
    }
  }
  return { text, findings };
}

// ---------------------------------------------------------------- vocabulary

const FIRST = ['Anna', 'Ben', 'Chloé', 'David', 'Elif', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemal', 'Lena', 'Marta', 'Noah', 'Olu', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Vera', 'Wei', 'Ximena', 'Yusuf', 'Zoe', 'María', 'Sean', 'Aoife', 'Dmitri'];
const LAST = ['Smith', 'García', 'Müller', 'Okafor', 'Nakamura', 'Rossi', 'Kowalski', 'Nguyen', 'Johansson', 'Haddad', 'Brown', 'Silva', "O'Brien", 'Dubois', 'Schmidt', 'Patel', 'Cohen', 'Larsen', 'Ivanova', 'Kim'];
const COMPANY = ['acme', 'initech', 'umbrella-health', 'northwind', 'contoso', 'fabrikam', 'hooli', 'piedpiper', 'stark-ind', 'wayne-ent', 'tyrell', 'cyberdyne', 'soylent', 'vandelay'];
const TLD = ['com', 'io', 'co.uk', 'de', 'fr', 'org', 'net', 'dev', 'ai', 'com.au', 'nl', 'es'];
const FREEMAIL = ['gmail.com', 'outlook.com', 'yahoo.co.uk', 'proton.me', 'icloud.com', 'gmx.de', 'web.de', 'hotmail.fr'];
const WORDS = ['deploy', 'billing', 'metrics', 'search', 'payments', 'gateway', 'auth', 'reports', 'inventory', 'export', 'sync', 'worker', 'frontend', 'backend', 'staging', 'analytics'];
const HOSTS = ['db.internal.acme.io', 'postgres.prod.example.net', 'cluster0.ab12c.mongodb.net', 'redis-12345.c1.us-east-1.ec2.cloud.redislabs.com', 'mq.example.org', 'localhost'];
const SENTENCES = [
  'The quarterly report is due on Friday, please send your numbers by Thursday noon.',
  'I moved the standup to 10:30 because half the team is at the offsite.',
  'Can someone review the pull request for the search page before lunch?',
  'The build failed again on the integration tests; looks flaky rather than broken.',
  'We agreed to ship the export feature behind a flag and measure adoption for two weeks.',
  'Lunch is on the third floor today, the kitchen on five is being renovated.',
  'Remember to rotate the keys before the audit; the checklist is in the wiki.',
  'The customer asked whether we can support SSO with Okta by the end of the quarter.',
  'Our latency p95 went from 180 ms to 240 ms after the last release.',
  'Please fill in the expense form and attach the receipts as PDF.',
  'I will be out of office from the 12th to the 19th, Marta covers for me.',
  'The migration script is idempotent, so running it twice does no harm.',
  'Tokens expire after 15 minutes, so the client must refresh them in the background.',
  'Password resets now send an e-mail with a link that is valid for one hour.',
  'The new onboarding flow cut drop-off at step three by almost half.',
  'Set the retention to 30 days for logs and 90 days for audit events.',
];

function person(g: Gen) {
  const first = g.pick(FIRST);
  const last = g.pick(LAST);
  return { first, last, name: `${first} ${last}` };
}
function ascii(s: string): string {
  return s.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase();
}
function domain(g: Gen): string {
  return `${g.pick(COMPANY)}.${g.pick(TLD)}`;
}

// ---------------------------------------------------------------- values

function luhnDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}
function cardDigits(g: Gen): string {
  const brand = g.int(0, 6);
  const [prefix, len] = ([
    [g.pick(['4']), g.pick([16, 16, 16, 13, 19])],
    [String(g.int(51, 55)), 16],
    [String(g.int(2221, 2720)), 16],
    [g.pick(['34', '37']), 15],
    [g.pick(['6011', '65', String(g.int(644, 649))]), 16],
    [String(g.int(3528, 3589)), 16],
    [g.pick(['36', '38', String(g.int(300, 305))]), 14],
  ] as const)[brand]!;
  const body = prefix + g.digits(len - 1 - prefix.length);
  return body + luhnDigit(body);
}
function groupCard(d: string, sep: string): string {
  if (d.length === 15) return [d.slice(0, 4), d.slice(4, 10), d.slice(10)].join(sep);
  if (d.length === 14) return [d.slice(0, 4), d.slice(4, 10), d.slice(10)].join(sep);
  return d.match(/.{1,4}/g)!.join(sep);
}
function nanp(g: Gen): [string, string, string] {
  return [`${g.int(2, 9)}${g.digits(2)}`, `${g.int(2, 9)}${g.digits(2)}`, g.digits(4)];
}
function phoneNumber(g: Gen): string {
  const [a, b, c] = nanp(g);
  switch (g.int(0, 15)) {
    case 0: return `(${a}) ${b}-${c}`;
    case 1: return `${a}-${b}-${c}`;
    case 2: return `${a}.${b}.${c}`;
    case 3: return `+1 ${a} ${b} ${c}`;
    case 4: return `+1-${a}-${b}-${c}`;
    case 5: return `+1 (${a}) ${b}-${c}`;
    case 6: return `+44 20 ${g.int(7, 8)}${g.digits(3)} ${g.digits(4)}`;
    case 7: return `+44 7${g.digits(3)} ${g.digits(6)}`;
    case 8: return `+49 ${g.pick(['30', '40', '89', '221', '69'])} ${g.digits(g.int(6, 8))}`;
    case 9: return `0${g.pick(['30', '40', '89', '221'])} ${g.digits(g.int(6, 8))}`;
    case 10: return `020 ${g.int(7, 8)}${g.digits(3)} ${g.digits(4)}`;
    case 11: return `07${g.digits(3)} ${g.digits(6)}`;
    case 12: return `+33 ${g.int(1, 7)} ${g.digits(2)} ${g.digits(2)} ${g.digits(2)} ${g.digits(2)}`;
    case 13: return `0${g.int(1, 7)} ${g.digits(2)} ${g.digits(2)} ${g.digits(2)} ${g.digits(2)}`;
    case 14: return `+${g.pick(['31', '34', '39', '46', '61', '81', '91'])}${g.digits(g.int(9, 10))}`;
    default: return `1-${a}-${b}-${c}`;
  }
}
function ssnDigits(g: Gen): string {
  let area: number;
  do area = g.int(1, 899);
  while (area === 666);
  return `${String(area).padStart(3, '0')}${String(g.int(1, 99)).padStart(2, '0')}${String(g.int(1, 9999)).padStart(4, '0')}`;
}
function nino(g: Gen, spaced: boolean): string {
  const first = 'ABCEGHJKLMNOPRSTWXYZ';
  const second = 'ABCEGHJKLMNPRSTWXYZ';
  let p: string;
  do p = g.pick([...first]) + g.pick([...second]);
  while (['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ'].includes(p));
  const d = g.digits(6);
  const s = g.pick(['A', 'B', 'C', 'D']);
  return spaced ? `${p} ${d.slice(0, 2)} ${d.slice(2, 4)} ${d.slice(4)} ${s}` : `${p}${d}${s}`;
}
function mod97(s: string): number {
  let rem = 0;
  for (const ch of s) {
    const v = /\d/.test(ch) ? ch : String(ch.charCodeAt(0) - 55);
    for (const d of v) rem = (rem * 10 + Number(d)) % 97;
  }
  return rem;
}
function ibanValue(g: Gen, spaced: boolean): string {
  const [cc, bban] = g.pick([
    ['DE', () => g.digits(18)],
    ['GB', () => g.str(UPPER, 4) + g.digits(14)],
    ['FR', () => g.digits(10) + g.str(UPPER + DIGITS, 11) + g.digits(2)],
    ['NL', () => g.str(UPPER, 4) + g.digits(10)],
    ['ES', () => g.digits(20)],
    ['IT', () => g.str(UPPER, 1) + g.digits(10) + g.str(UPPER + DIGITS, 12)],
    ['CH', () => g.digits(17)],
    ['BE', () => g.digits(12)],
    ['PL', () => g.digits(24)],
    ['IE', () => g.str(UPPER, 4) + g.digits(14)],
  ] as const);
  const b = bban();
  const check = String(98 - mod97(b + cc + '00')).padStart(2, '0');
  const iban = cc + check + b;
  return spaced ? iban.match(/.{1,4}/g)!.join(' ') : iban;
}
function publicV4(g: Gen): string {
  for (;;) {
    const a = g.int(1, 223);
    const b = g.int(0, 255);
    if (a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127)) continue;
    return `${a}.${b}.${g.int(0, 255)}.${g.int(1, 254)}`;
  }
}
function publicV6(g: Gen): string {
  const groups = [`2${g.str(HEX, 3)}`, ...Array.from({ length: 7 }, () => g.str(HEX, g.int(1, 4)).replace(/^0+(?=.)/, ''))];
  if (g.chance(0.5)) return groups.join(':');
  return `${groups.slice(0, 3).join(':')}::${groups.slice(6).join(':')}`;
}
function password(g: Gen): string {
  if (g.chance(0.3)) return `${g.pick(['Summer', 'Winter', 'Autumn', 'Spring', 'Welcome', 'Dragon', 'Monkey', 'Sunshine', 'Football'])}${g.int(1990, 2025)}${g.pick(['!', '#', '?', '', '$'])}`;
  const first = g.str(ALNUM, 1);
  return first + g.str(ALNUM + '!#%^*-_.+', g.int(7, 19));
}
function b64(g: Gen, n: number): string {
  return g.str(B64, n);
}
function pemBody(g: Gen, lines: number, sep: string): string {
  return Array.from({ length: lines }, () => b64(g, 64)).join(sep);
}

// ---------------------------------------------------------------- secrets

interface TokenSpec {
  kind: string;
  names: readonly string[];
  value: (g: Gen) => string;
}

function base64url(s: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const bytes = [...s].map((c) => c.charCodeAt(0) & 0xff);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += alphabet[(n >> 18) & 63]! + alphabet[(n >> 12) & 63]! + (i + 1 < bytes.length ? alphabet[(n >> 6) & 63]! : '') + (i + 2 < bytes.length ? alphabet[n & 63]! : '');
  }
  return out;
}
function jwtValue(g: Gen): string {
  const header = JSON.stringify({ alg: g.pick(['HS256', 'RS256', 'ES256']), typ: 'JWT' });
  const payload = JSON.stringify({ sub: g.digits(10), name: person(g).name.replace(/[^\x20-\x7e]/g, 'e'), iat: 1700000000 + g.int(0, 9999999), ...(g.chance(0.5) ? { scope: 'read write' } : {}) });
  return `${base64url(header)}.${base64url(payload)}.${g.str(B64URL, g.pick([43, 86, 342]))}`;
}

const TOKENS: readonly TokenSpec[] = [
  { kind: 'aws-access-key-id', names: ['AWS_ACCESS_KEY_ID', 'aws_access_key_id', 'AccessKeyId'], value: (g) => g.pick(['AKIA', 'AKIA', 'ASIA']) + g.str(UPPER + '234567', 16) },
  { kind: 'gcp-api-key', names: ['GOOGLE_API_KEY', 'MAPS_API_KEY', 'firebaseApiKey'], value: (g) => 'AIza' + g.str(B64URL, 35) },
  { kind: 'gcp-oauth-client-secret', names: ['GOOGLE_CLIENT_SECRET', 'client_secret'], value: (g) => 'GOCSPX-' + g.str(B64URL, 28) },
  { kind: 'gcp-oauth-token', names: ['GOOGLE_ACCESS_TOKEN', 'access_token'], value: (g) => 'ya29.' + g.str(B64URL, g.int(100, 180)) },
  { kind: 'github-token', names: ['GITHUB_TOKEN', 'GH_TOKEN', 'github_token'], value: (g) => (g.chance(0.25) ? 'github_pat_' + g.str(ALNUM, 22) + '_' + g.str(ALNUM, 59) : 'gh' + g.pick(['p', 'o', 'u', 's', 'r']) + '_' + g.str(ALNUM, 36)) },
  { kind: 'gitlab-token', names: ['GITLAB_TOKEN', 'CI_JOB_TOKEN', 'gitlab_pat'], value: (g) => g.pick(['glpat-', 'glpat-', 'glptt-', 'gldt-', 'glrt-']) + g.str(ALNUM + '_-', 20) },
  { kind: 'slack-token', names: ['SLACK_BOT_TOKEN', 'SLACK_TOKEN', 'slackToken'], value: (g) => `xox${g.pick(['b', 'p', 'a', 'r'])}-${g.digits(g.int(10, 13))}-${g.digits(g.int(10, 13))}-${g.str(ALNUM, 24)}` },
  { kind: 'stripe-key', names: ['STRIPE_SECRET_KEY', 'STRIPE_API_KEY', 'stripeKey'], value: (g) => `${g.pick(['sk', 'sk', 'rk'])}_${g.pick(['live', 'live', 'test'])}_${g.str(ALNUM, g.pick([24, 99]))}` },
  { kind: 'twilio-key', names: ['TWILIO_API_KEY', 'TWILIO_KEY_SID'], value: (g) => 'SK' + g.str(HEX, 32) },
  { kind: 'sendgrid-key', names: ['SENDGRID_API_KEY', 'sendgridKey'], value: (g) => `SG.${g.str(B64URL, 22)}.${g.str(B64URL, 43)}` },
  { kind: 'openai-key', names: ['OPENAI_API_KEY', 'openai_api_key'], value: (g) => (g.chance(0.7) ? `sk-proj-${g.str(B64URL, g.pick([48, 74, 156]))}` : `sk-${g.str(ALNUM, 48)}`) },
  { kind: 'anthropic-key', names: ['ANTHROPIC_API_KEY', 'anthropicKey'], value: (g) => `sk-ant-api03-${g.str(B64URL, 93)}AA` },
  { kind: 'huggingface-token', names: ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN'], value: (g) => 'hf_' + g.str(UPPER + LOWER, 34) },
  { kind: 'npm-token', names: ['NPM_TOKEN', 'NODE_AUTH_TOKEN'], value: (g) => 'npm_' + g.str(ALNUM, 36) },
  { kind: 'pypi-token', names: ['PYPI_TOKEN', 'TWINE_PASSWORD'], value: (g) => 'pypi-AgEIcHlwaS5vcmc' + g.str(B64URL, g.int(60, 160)) },
  { kind: 'docker-token', names: ['DOCKERHUB_TOKEN', 'DOCKER_PAT'], value: (g) => 'dckr_pat_' + g.str(B64URL, 27) },
  { kind: 'shopify-token', names: ['SHOPIFY_ACCESS_TOKEN', 'SHOPIFY_ADMIN_TOKEN'], value: (g) => `shp${g.pick(['at', 'ca', 'pa', 'ss'])}_${g.str(HEX, 32)}` },
  {
    kind: 'discord-token',
    names: ['DISCORD_TOKEN', 'DISCORD_BOT_TOKEN'],
    value: (g) => `${base64url(`${g.int(1, 1)}${g.digits(17)}`).replace(/=+$/, '')}.${g.str(B64URL, 6)}.${g.str(B64URL, 38)}`,
  },
  { kind: 'telegram-bot-token', names: ['TELEGRAM_BOT_TOKEN', 'TG_TOKEN'], value: (g) => `${g.int(1, 9)}${g.digits(g.int(8, 9))}:AA${g.str(B64URL, 33)}` },
  { kind: 'jwt', names: ['ACCESS_TOKEN', 'id_token', 'JWT'], value: jwtValue },
  { kind: 'digitalocean-token', names: ['DIGITALOCEAN_TOKEN', 'DO_TOKEN'], value: (g) => `dop_v1_${g.str(HEX, 64)}` },
  { kind: 'vault-token', names: ['VAULT_TOKEN'], value: (g) => `hvs.${g.str(B64URL, 24)}` },
  { kind: 'mailgun-key', names: ['MAILGUN_API_KEY'], value: (g) => `key-${g.str(HEX, 32)}` },
  { kind: 'postman-key', names: ['POSTMAN_API_KEY'], value: (g) => `PMAK-${g.str(HEX, 24)}-${g.str(HEX, 34)}` },
  { kind: 'age-secret-key', names: ['SOPS_AGE_KEY'], value: (g) => `AGE-SECRET-KEY-1${g.str(UPPER + DIGITS, 58)}` },
];

/** Contexts a self-describing token is typed or pasted in. */
const TOKEN_CONTEXTS: readonly ((g: Gen, name: string, v: Part) => Part[])[] = [
  (_g, n, v) => [`export ${n}=`, v],
  (_g, n, v) => [`${n}="`, v, '"'],
  (_g, n, v) => [`  "${n.toLowerCase().replace(/_(\w)/g, (_m, c: string) => c.toUpperCase())}": "`, v, '",'],
  (_g, n, v) => [`${n.toLowerCase()}: `, v],
  (g, _n, v) => [`curl -s -H "Authorization: Bearer `, v, `" https://api.${domain(g)}/v1/${g.pick(WORDS)}`],
  (g, _n, v) => [`${g.pick(['hey', 'hi', 'ok', 'fyi'])} ${g.pick(['can you try with', 'use this one:', 'new key is', 'here you go'])} `, v, ` ${g.pick(['- the old one expired', 'thx', '(rotate it after)', ''])}`],
  (g, _n, v) => [`2024-0${g.int(1, 9)}-1${g.int(0, 9)}T0${g.int(0, 9)}:${g.int(10, 59)}:${g.int(10, 59)}Z WARN ${g.pick(WORDS)} request rejected credential=`, v, ` status=401`],
  (g, _n, v) => [`client = ${g.pick(['Client', 'SDK', 'Api'])}(${g.pick(['api_key', 'token', 'key'])}="`, v, `", timeout=30)`],
  (g, n, v) => [`docker run --rm -e ${n}=`, v, ` ${g.pick(COMPANY)}/${g.pick(WORDS)}:latest`],
  (_g, _n, v) => [`const token = '`, v, `';`],
  (_g, n, v) => [`$env:${n} = "`, v, `"`],
  (g, n, v) => [`kubectl create secret generic ${g.pick(WORDS)} --from-literal=${n.toLowerCase()}=`, v],
  (_g, n, v) => [`      - ${n}=`, v],
  (g, _n, v) => [`> ${person(g).first}: I pasted `, v, ` into the runner config, does it work now?`],
];

function tokenCases(g: Gen, add: (category: string, parts: Part[]) => void): void {
  for (const spec of TOKENS) {
    const count = spec.kind === 'jwt' || spec.kind === 'github-token' || spec.kind === 'aws-access-key-id' ? 60 : 36;
    for (let i = 0; i < count; i++) {
      const v = sec(spec.kind, spec.value(g));
      add(`secret:${spec.kind}`, g.pick(TOKEN_CONTEXTS)(g, g.pick(spec.names), v));
    }
  }
  // the documented AWS example key pair, and secret keys next to their name or their key id
  add('secret:aws-access-key-id', ['aws_access_key_id = ', sec('aws-access-key-id', 'AKIAIOSFODNN7EXAMPLE')]);
  for (let i = 0; i < 40; i++) {
    const id = 'AKIA' + g.str(UPPER + '234567', 16);
    const secret = g.str(B64, 40);
    const ctx = g.int(0, 4);
    if (ctx === 0) add('secret:aws-secret-access-key', ['aws_secret_access_key = ', sec('aws-secret-access-key', secret)]);
    else if (ctx === 1) add('secret:aws-secret-access-key', ['export AWS_SECRET_ACCESS_KEY=', sec('aws-secret-access-key', secret)]);
    else if (ctx === 2) add('secret:aws-secret-access-key', [`${ascii(g.pick(FIRST))}-ci,`, sec('aws-access-key-id', id), ',', sec('aws-secret-access-key', secret)]);
    else if (ctx === 3) add('secret:aws-secret-access-key', ['  "SecretAccessKey": "', sec('aws-secret-access-key', secret), '",']);
    else add('secret:aws-secret-access-key', ['aws configure set aws_access_key_id ', sec('aws-access-key-id', id), ' && aws configure set aws_secret_access_key ', sec('aws-secret-access-key', secret)]);
  }
  // GCP service-account key files: the private key (JSON-escaped PEM) and its id
  for (let i = 0; i < 30; i++) {
    const pem = `-----BEGIN PRIVATE KEY-----\\n${pemBody(g, g.int(3, 8), '\\n')}\\n${b64(g, g.int(10, 60))}==\\n-----END PRIVATE KEY-----`;
    const keyId = g.str(HEX, 40);
    add('secret:private-key', [`{"type": "service_account", "project_id": "${g.pick(WORDS)}-${g.int(100000, 999999)}", "private_key_id": "`, sec('gcp-service-account-key-id', keyId), '", "private_key": "', sec('private-key', pem), '\\n", "client_email": "', pii('email', `${g.pick(WORDS)}@${g.pick(WORDS)}-${g.int(1000, 9999)}.iam.gserviceaccount.com`), '"}']);
  }
  // PEM blocks, with real line breaks, and cut short (no END line yet)
  for (let i = 0; i < 40; i++) {
    const label = g.pick(['RSA PRIVATE KEY', 'PRIVATE KEY', 'EC PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']);
    const body = pemBody(g, g.int(2, 12), '\n') + '\n' + b64(g, g.int(8, 63));
    if (i % 5 === 4) add('secret:private-key', [`$ cat ~/.ssh/id_${g.pick(['rsa', 'ed25519'])}\n`, sec('private-key', `-----BEGIN ${label}-----\n${body}`)]);
    else add('secret:private-key', [g.pick(['', 'key.pem:\n', 'Here is the deploy key:\n']), sec('private-key', `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`), g.pick(['', '\n'])]);
  }
  // Azure connection strings, SAS URLs, Slack and Discord webhooks, Twilio account SIDs with their token
  for (let i = 0; i < 36; i++) {
    const account = `${g.pick(COMPANY).replace('-', '')}${g.pick(['prod', 'logs', 'backup'])}`;
    add('secret:azure-storage-key', [`AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=https;AccountName=${account};AccountKey=`, sec('azure-storage-key', b64(g, 86) + '=='), ';EndpointSuffix=core.windows.net"']);
    add('secret:azure-shared-access-key', [`Endpoint=sb://${account}.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=`, sec('azure-shared-access-key', b64(g, 43) + '=')]);
    add('secret:azure-sas-signature', [`https://${account}.blob.core.windows.net/${g.pick(WORDS)}/report.csv?sv=2022-11-02&ss=b&srt=o&sp=r&se=2025-0${g.int(1, 9)}-01T00:00:00Z&spr=https&sig=`, sec('azure-sas-signature', b64(g, 43).replace(/\+/g, '%2B').replace(/\//g, '%2F') + '%3D')]);
    add('secret:slack-webhook', [`curl -X POST -d '{"text":"deploy done"}' https://hooks.slack.com/services/`, sec('slack-webhook', `T${g.str(UPPER + DIGITS, 10)}/B${g.str(UPPER + DIGITS, 10)}/${g.str(ALNUM, 24)}`)]);
    add('secret:discord-webhook', ['DISCORD_WEBHOOK=https://discord.com/api/webhooks/', sec('discord-webhook', `${g.int(1, 9)}${g.digits(18)}/${g.str(B64URL, 68)}`)]);
    const sid = 'AC' + g.str(HEX, 32);
    add('secret:twilio-key', ['client = Client("', sec('twilio-key', sid), '", "', sec('twilio-key', g.str(HEX, 32)), '")']);
  }
  // JWTs in cookies and headers
  for (let i = 0; i < 20; i++) add('secret:jwt', [`Cookie: session=`, sec('jwt', jwtValue(g)), `; theme=dark`]);
}

function genericSecretCases(g: Gen, add: (category: string, parts: Part[]) => void): void {
  const pw = (): Part => sec('password', password(g));
  const urlPw = (): Part => sec('url-password', g.str(ALNUM, 1) + g.str(ALNUM + '-._~!*', g.int(7, 23)));
  const PASSWORD_CONTEXTS: readonly (() => Part[])[] = [
    () => [`${g.pick(['DB_PASSWORD', 'POSTGRES_PASSWORD', 'MYSQL_ROOT_PASSWORD', 'SMTP_PASS', 'REDIS_PASSWORD', 'ADMIN_PASSWORD'])}=`, pw()],
    () => [`  password: `, pw()],
    () => [`    "password": "`, pw(), `",`],
    () => [`mysql -u root --password=`, pw(), ` -h 127.0.0.1 ${g.pick(WORDS)}`],
    () => [`PGPASSWORD=`, pw(), ` psql -h ${g.pick(HOSTS)} -U app -d ${g.pick(WORDS)}`],
    () => [`${g.pick(['my', 'the', 'our'])} ${g.pick(['password', 'wifi password', 'vpn password', 'admin password'])} is `, sec('password', `${g.pick(['Summer', 'Berlin', 'Coffee', 'Tiger', 'Orange'])}${g.int(10, 2025)}${g.pick(['!', '#', '', '?'])}`), ` ${g.pick(['dont share it', 'lol', 'until friday', ''])}`],
    () => [`spring.datasource.password=`, pw()],
    () => [`$password = '`, pw(), `';`],
    () => [`conn = psycopg2.connect(host="${g.pick(HOSTS)}", user="app", password="`, pw(), `")`],
    () => [`curl -u ${ascii(g.pick(FIRST))}:`, pw(), ` https://${domain(g)}/api/health`],
    () => [`login ${ascii(g.pick(FIRST))} password `, pw()].length ? [`Password: `, sec('password', `${g.str(ALNUM, 1)}${g.str(ALNUM, 5)}${g.digits(2)}${g.pick(['!', '$', '%'])}`)] : [],
    () => [`ansible-playbook site.yml -e "ansible_become_pass=`, pw(), `"`],
    () => [`./backup.sh --password `, pw(), ` --target s3://${g.pick(WORDS)}-backups`],
  ];
  for (let i = 0; i < 160; i++) add('secret:password', g.pick(PASSWORD_CONTEXTS)());

  const URL_CONTEXTS: readonly (() => Part[])[] = [
    () => [`DATABASE_URL=postgres://${ascii(g.pick(FIRST))}:`, urlPw(), `@${g.pick(HOSTS)}:5432/${g.pick(WORDS)}`],
    () => [`mongodb+srv://admin:`, urlPw(), `@${g.pick(HOSTS)}/?retryWrites=true&w=majority`],
    () => [`redis://:`, urlPw(), `@${g.pick(HOSTS)}:6379/0`],
    () => [`git remote add origin https://${ascii(g.pick(FIRST))}:`, urlPw(), `@git.${domain(g)}/${g.pick(WORDS)}/${g.pick(WORDS)}.git`],
    () => [`export HTTPS_PROXY=http://proxyuser:`, urlPw(), `@proxy.${domain(g)}:3128`],
    () => [`amqp://guest:`, urlPw(), `@${g.pick(HOSTS)}:5672/vhost`],
  ];
  for (let i = 0; i < 90; i++) add('secret:url-password', g.pick(URL_CONTEXTS)());

  const QUERY_CONTEXTS: readonly (() => Part[])[] = [
    () => [`GET https://api.${domain(g)}/v2/${g.pick(WORDS)}?api_key=`, sec('url-token', g.str(ALNUM, g.int(24, 40))), `&limit=50`],
    () => [`wss://stream.${domain(g)}/ws?token=`, sec('url-token', g.str(B64URL, g.int(24, 64)))],
    () => [`https://${domain(g)}/reset?user=${g.int(1000, 99999)}&access_token=`, sec('url-token', g.str(ALNUM, 32))],
    () => [`open "https://dash.${domain(g)}/embed?key=`, sec('url-token', g.str(HEX, 32)), `&theme=light"`],
  ];
  for (let i = 0; i < 60; i++) add('secret:url-token', g.pick(QUERY_CONTEXTS)());

  for (let i = 0; i < 40; i++) {
    const v = g.chance(0.5) ? g.str(ALNUM + '-._~', g.int(24, 64)) + g.digits(2) : base64url(g.str(ALNUM, 24)) ;
    add('secret:auth-header', [g.pick(['Authorization: Bearer ', 'authorization: Bearer ', '-H "Authorization: Token ', 'Authorization: Basic ']), sec('auth-header', v), g.pick(['', '"'])]);
  }

  const ASSIGNED_CONTEXTS: readonly ((v: Part) => Part[])[] = [
    (v) => [`${g.pick(['SECRET_KEY', 'JWT_SECRET', 'WEBHOOK_SECRET', 'APP_SECRET', 'ENCRYPTION_KEY', 'SIGNING_KEY', 'API_KEY', 'PRIVATE_TOKEN'])}=`, v],
    (v) => [`  "${g.pick(['client_secret', 'apiKey', 'api_key', 'secret', 'authToken', 'accessKey'])}": "`, v, `",`],
    (v) => [`app.config['SECRET_KEY'] = '`, v, `'`],
    (v) => [`${g.pick(['api_key', 'apiKey', 'secret_token'])}: `, v],
    (v) => [`x-api-key: `, v],
    (v) => [`./sync --api-key `, v, ` --since yesterday`],
    (v) => [`const ${g.pick(['apiKey', 'clientSecret', 'authToken'])} = "`, v, `";`],
    (v) => [`settings.${g.pick(['SECRET_KEY', 'API_TOKEN'])} = "`, v, `"`],
  ];
  for (let i = 0; i < 150; i++) {
    const value = g.pick([() => g.str(ALNUM, g.int(16, 48)), () => g.str(HEX, g.pick([32, 64])), () => b64(g, 43) + '=', () => g.str(LOWER + DIGITS, 24), () => password(g)])();
    add('secret:assigned-secret', g.pick(ASSIGNED_CONTEXTS)(sec('assigned-secret', value)));
  }

  // tokens with no name that says so: the generic rule's job
  const FREE_CONTEXTS: readonly ((v: Part) => Part[])[] = [
    (v) => [`here's the key for staging: `, v],
    (v) => [`curl -H "X-Auth: `, v, `" https://internal.${domain(g)}/metrics`],
    (v) => [`./deploy.sh --auth `, v, ` --env prod`],
    (v) => [`[${g.int(10, 23)}:${g.int(10, 59)}] ${person(g).first}: try `, v],
    (v) => [`session=`, v, `; Path=/; HttpOnly`],
    (v) => [`ssh-keygen passphrase went into the vault as `, v],
    (v) => [`<add key="Auth" value="`, v, `" />`],
  ];
  for (let i = 0; i < 110; i++) {
    const value = g.pick([() => g.str(ALNUM, g.int(24, 64)), () => b64(g, 40), () => g.str(LOWER + DIGITS, 32), () => g.str(B64URL, 43)])();
    add('secret:high-entropy-token', g.pick(FREE_CONTEXTS)(sec('high-entropy-token', value)));
  }
}

// ---------------------------------------------------------------- personal data

function piiCases(g: Gen, add: (category: string, parts: Part[]) => void): void {
  const emailOf = (p: { first: string; last: string }) =>
    g.pick([
      () => `${ascii(p.first)}.${ascii(p.last)}@${domain(g)}`,
      () => `${ascii(p.first)[0]}${ascii(p.last)}@${domain(g)}`,
      () => `${ascii(p.first)}${g.int(1, 99)}@${g.pick(FREEMAIL)}`,
      () => `${ascii(p.first)}.${ascii(p.last)}+${g.pick(WORDS)}@${g.pick(FREEMAIL)}`,
      () => `${ascii(p.last)}_${ascii(p.first)}@mail.${domain(g)}`,
    ])();
  const EMAIL_CONTEXTS: readonly (() => Part[])[] = [
    () => { const p = person(g); return [`From: ${p.name} <`, pii('email', emailOf(p)), `>`]; },
    () => [`please cc `, pii('email', emailOf(person(g))), ` on the thread`],
    () => [`Email address: `, pii('email', emailOf(person(g)))],
    () => { const p = person(g); return [`${g.int(1, 999)},${p.name},`, pii('email', emailOf(p)), `,${g.pick(['active', 'invited', 'disabled'])}`]; },
    () => [`git config user.email "`, pii('email', emailOf(person(g))), `"`],
    () => [`reach out to `, pii('email', emailOf(person(g))), `.`],
    () => [`<a href="mailto:`, pii('email', emailOf(person(g))), `">contact</a>`],
  ];
  for (let i = 0; i < 200; i++) add('pii:email', g.pick(EMAIL_CONTEXTS)());

  const PHONE_CONTEXTS: readonly ((v: Part) => Part[])[] = [
    (v) => [`Tel: `, v],
    (v) => [`call me at `, v, ` after 5pm`],
    (v) => [`Mobile `, v],
    (v) => [`You can reach the front desk on `, v, `.`],
    (v) => [`Phone number: `, v],
    (v) => [`${person(g).name} | ${g.pick(['Account Manager', 'CTO', 'Support'])} | `, v],
    (v) => [`whatsapp `, v, ` if urgent`],
    (v) => [`emergency contact (`, v, `)`],
  ];
  for (let i = 0; i < 230; i++) add('pii:phone', g.pick(PHONE_CONTEXTS)(pii('phone', phoneNumber(g))));
  for (let i = 0; i < 15; i++) add('pii:phone', [g.pick(['call ', 'tel: ', 'phone: ']), pii('phone', `${g.int(2, 9)}${g.digits(9)}`)]);

  const CARD_CONTEXTS: readonly ((v: Part) => Part[])[] = [
    (v) => [`card number `, v, ` exp 0${g.int(1, 9)}/2${g.int(5, 9)} cvv ${g.digits(3)}`],
    (v) => [`Card: `, v],
    (v) => [`paid with `, v, ` yesterday, refund pending`],
    (v) => [`{"pan": "`, v, `", "exp": "1${g.int(0, 2)}/2${g.int(6, 9)}"}`],
    (v) => [`${person(g).name},`, v, `,${g.int(1, 12)}/${g.int(26, 30)}`],
  ];
  for (let i = 0; i < 200; i++) {
    const d = cardDigits(g);
    const sep = g.pick([' ', ' ', '-', '']);
    add('pii:card-number', g.pick(CARD_CONTEXTS)(pii('card-number', sep ? groupCard(d, sep) : d)));
  }

  for (let i = 0; i < 90; i++) {
    const d = ssnDigits(g);
    const form = g.int(0, 3);
    if (form === 0) add('pii:us-ssn', [`SSN: `, pii('us-ssn', `${d.slice(0, 3)}-${d.slice(3, 5)}-${d.slice(5)}`)]);
    else if (form === 1) add('pii:us-ssn', [`${person(g).name}, DOB 0${g.int(1, 9)}/1${g.int(0, 9)}/19${g.int(50, 99)}, social security number `, pii('us-ssn', `${d.slice(0, 3)}-${d.slice(3, 5)}-${d.slice(5)}`)]);
    else if (form === 2) add('pii:us-ssn', [`my ssn is `, pii('us-ssn', d)]);
    else add('pii:us-ssn', [`applicant ssn `, pii('us-ssn', `${d.slice(0, 3)} ${d.slice(3, 5)} ${d.slice(5)}`), ` verified`]);
  }
  for (let i = 0; i < 60; i++) add('pii:uk-nino', [g.pick(['NI number: ', 'National Insurance No. ', 'NINO ', 'her NI is ']), pii('uk-nino', nino(g, g.chance(0.5)))]);
  for (let i = 0; i < 110; i++) {
    const iban = ibanValue(g, g.chance(0.6));
    add('pii:iban', g.pick([
      () => [`IBAN: `, pii('iban', iban)],
      () => [`please transfer the deposit to `, pii('iban', iban), ` (BIC ${g.str(UPPER, 6)}${g.str(UPPER + DIGITS, 2)})`],
      () => [`Kontoinhaber: ${person(g).name}, IBAN `, pii('iban', iban)],
      () => [`"iban": "`, pii('iban', iban), `"`],
    ])() as Part[]);
  }
  for (let i = 0; i < 140; i++) {
    const ip = g.chance(0.75) ? publicV4(g) : publicV6(g);
    add('pii:ip-address', g.pick([
      () => [`Failed password for root from `, pii('ip-address', ip), ` port ${g.int(1024, 65535)} ssh2`],
      () => [pii('ip-address', ip), ` - - [12/Mar/2024:10:${g.int(10, 59)}:${g.int(10, 59)} +0000] "GET /${g.pick(WORDS)} HTTP/1.1" 200 ${g.int(100, 9999)}`],
      () => [`my home IP is `, pii('ip-address', ip), `, can you allowlist it?`],
      () => [`client_ip=`, pii('ip-address', ip), ` user_agent="Mozilla/5.0"`],
      () => [`ssh ${ascii(g.pick(FIRST))}@`, pii('ip-address', ip)],
    ])() as Part[]);
  }
  // several kinds at once: a signature, a form
  for (let i = 0; i < 60; i++) {
    const p = person(g);
    add('pii:mixed', [`--\n${p.name}\n${g.pick(['Sales', 'Support', 'Finance'])}, ${g.pick(COMPANY)}\n`, pii('email', emailOf(p)), ` | `, pii('phone', phoneNumber(g))]);
  }
}

function customCases(g: Gen, add: (category: string, parts: Part[]) => void): void {
  for (let i = 0; i < 30; i++) add('custom:custom-term', [g.pick(['Status update for ', 'Kick-off for ', 'Risks on ']), pii('custom-term', g.pick(['Nightingale', 'NIGHTINGALE', 'nightingale'])), g.pick([': on track.', ' slipped a week.', ' is blocked on legal.'])]);
  for (let i = 0; i < 30; i++) add('custom:custom-term', [`meeting with `, pii('custom-term', 'Globex Corporation'), ` ${g.pick(['tomorrow', 'on Monday', 'about renewal'])}`]);
  for (let i = 0; i < 30; i++) add('custom:project-id', [`see `, pii('project-id', `PRJ-${g.digits(4)}`), ` for details`]);
}

// ---------------------------------------------------------------- decoys

function decoyCases(g: Gen, add: (category: string, parts: Part[]) => void): void {
  const d = (what: string, n: number, make: () => string) => {
    for (let i = 0; i < n; i++) add(`decoy:${what}`, [make()]);
  };
  const uuid = () => `${g.str(HEX, 8)}-${g.str(HEX, 4)}-4${g.str(HEX, 3)}-${g.pick(['8', '9', 'a', 'b'])}${g.str(HEX, 3)}-${g.str(HEX, 12)}`;
  const notLuhn = (len: number) => {
    for (;;) {
      const s = g.pick(['4', '5', '3', '6']) + g.digits(len - 1);
      const body = s.slice(0, -1);
      if (luhnDigit(body) !== s.slice(-1)) return s;
    }
  };
  d('commit-hash', 90, () => g.pick([
    () => `commit ${g.str(HEX, 40)}`,
    () => `git cherry-pick ${g.str(HEX, 7)} && git push`,
    () => `Merge ${g.str(HEX, 12)} into ${g.str(HEX, 12)}`,
    () => `fixed in ${g.str(HEX, 40)} (see #${g.int(100, 9999)})`,
    () => `docker pull ${g.pick(COMPANY)}/${g.pick(WORDS)}@sha256:${g.str(HEX, 64)}`,
    () => `sha256sum: ${g.str(HEX, 64)}  release.tar.gz`,
    () => `ETag: "${g.str(HEX, 32)}"`,
    () => `md5 ${g.str(HEX, 32)} backup.sql`,
  ])());
  d('uuid', 70, () => g.pick([
    () => `X-Request-Id: ${uuid()}`,
    () => `DELETE /api/users/${uuid()} 204`,
    () => `{"id": "${uuid()}", "status": "done"}`,
    () => `trace_id=${g.str(HEX, 32)} span_id=${g.str(HEX, 16)}`,
  ])());
  d('order-number', 90, () => g.pick([
    () => `Order #${notLuhn(16)} has shipped`,
    () => `Your order ${notLuhn(16).replace(/(\d{4})(?=\d)/g, '$1 ')} is confirmed`,
    () => `Invoice INV-${g.int(2019, 2025)}-${g.digits(5)} paid`,
    () => `Tracking: 1Z${g.str(UPPER + DIGITS, 16)}`,
    () => `ticket ${g.pick(['JIRA', 'OPS', 'SEC'])}-${g.int(10, 9999)} reopened`,
    () => `Account no. ${notLuhn(g.int(13, 19))}`,
    () => `ref ORD-${g.int(2020, 2025)}-${g.digits(5)}`,
    () => `ISBN 978-${g.int(0, 1)}-${g.digits(2)}-${g.digits(6)}-${g.digits(1)}`,
    () => `order ${g.digits(10)} from warehouse ${g.int(1, 40)}`,
  ])());
  d('version', 70, () => g.pick([
    () => `node v${g.int(14, 22)}.${g.int(0, 20)}.${g.int(0, 9)}`,
    () => `Upgraded lodash from 4.17.${g.int(10, 20)} to 4.17.21`,
    () => `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${g.int(100, 131)}.0.${g.int(1000, 6999)}.${g.int(10, 200)} Safari/537.36`,
    () => `Windows version 10.0.${g.int(19041, 22631)}.${g.int(100, 4000)}`,
    () => `"typescript": "~5.${g.int(0, 9)}.${g.int(0, 4)}"`,
    () => `pip install django==${g.int(3, 5)}.${g.int(0, 2)}.${g.int(0, 12)}`,
    () => `release v${g.int(1, 9)}.${g.int(0, 30)}.${g.int(0, 9)}-rc.${g.int(1, 5)}`,
    () => `build ${g.int(1, 9)}.${g.int(0, 9)}.${g.int(0, 9)}.${g.int(100, 999)}`,
  ])());
  d('code-mentions-secret', 140, () => g.pick([
    () => `if (!password) throw new Error("password is required");`,
    () => `const token = await getToken();`,
    () => `  password: string;`,
    () => `def check_password(password: str) -> bool:`,
    () => `token = request.headers.get("Authorization")`,
    () => `  resetPasswordToken: null,`,
    () => `PASSWORD_MIN_LENGTH = ${g.int(8, 16)}`,
    () => `    "password": "",`,
    () => `api_key = os.environ["API_KEY"]`,
    () => `export TOKEN=$(vault read -field=token secret/ci)`,
    () => `token_expiry = ${g.int(60, 86400)}`,
    () => `<input type="password" name="password" autocomplete="current-password">`,
    () => `Forgot your password? Click "Reset password" on the sign-in page.`,
    () => `The token is valid for ${g.int(1, 48)} hours.`,
    () => `Your password must be at least ${g.int(8, 14)} characters long.`,
    () => `password = getpass.getpass("Password: ")`,
    () => `secret = client.secrets.get(name="${g.pick(WORDS)}")`,
    () => `DB_PASSWORD=\${DB_PASSWORD:?missing}`,
    () => `  api_key: \${{ secrets.API_KEY }}`,
    () => `if user.check_password(form.password.data):`,
    () => `const apiKey = process.env.OPENAI_API_KEY;`,
    () => `tokens = tokenizer.encode(text)`,
    () => `passwordField.setVisible(true)`,
    () => `secret_name: ${g.pick(WORDS)}-credentials`,
    () => `The bypass road to the compass factory passes the passenger terminal.`,
    () => `grep -r "password" src/ | wc -l`,
    () => `token: Token;`,
    () => `password=$(openssl rand -base64 24)`,
    () => `API_KEY=your-api-key-here`,
    () => `"token": "<your token>",`,
  ])());
  d('prose', 180, () => g.pick(SENTENCES) + (g.chance(0.3) ? ' ' + g.pick(SENTENCES) : ''));
  d('file-path', 90, () => g.pick([
    () => `/home/${ascii(g.pick(FIRST))}/projects/${g.pick(WORDS)}/src/${g.pick(WORDS)}/index.ts`,
    () => `C:\\Users\\Public\\Documents\\report_${g.int(2019, 2025)}_Q${g.int(1, 4)}_final_v${g.int(2, 9)}.xlsx`,
    () => `./node_modules/.bin/vitest run src/${g.pick(WORDS)}/${g.pick(WORDS)}.test.ts`,
    () => `/usr/local/lib/python3.${g.int(8, 12)}/site-packages/requests/adapters.py:${g.int(10, 900)}`,
    () => `src/components/${g.pick(['UserProfileCard', 'InvoiceTableRow', 'CheckoutPaymentForm', 'NavigationDrawerItem'])}.tsx`,
    () => `/var/log/nginx/access.log.${g.int(1, 9)}.gz`,
    () => `assets/images/icons/logo@2x.png`,
    () => `~/Library/Application Support/Code/User/settings.json`,
  ])());
  d('url', 100, () => g.pick([
    () => `https://github.com/${g.pick(COMPANY)}/${g.pick(WORDS)}/pull/${g.int(1, 9999)}`,
    () => `https://www.${domain(g)}/search?q=${g.pick(WORDS)}&page=${g.int(1, 9)}&sort=asc`,
    () => `https://docs.python.org/3/library/re.html#re.${g.pick(['sub', 'match', 'compile'])}`,
    () => `https://${domain(g)}/blog/how-to-configure-nginx-reverse-proxy-${g.int(2019, 2025)}`,
    () => `https://${domain(g)}/checkout?utm_source=newsletter&utm_medium=email&utm_campaign=spring_sale_${g.int(2020, 2025)}`,
    () => `git clone git@github.com:${g.pick(COMPANY)}/${g.pick(WORDS)}.git`,
    () => `https://${domain(g)}/api/v1/users/${g.int(1, 999999)}/orders?status=open`,
    () => `http://localhost:${g.int(3000, 9000)}/callback?code_challenge_method=S256&state=ok`,
  ])());
  d('date-time', 90, () => g.pick([
    () => `2024-0${g.int(1, 9)}-${g.int(10, 28)}T${g.int(10, 23)}:${g.int(10, 59)}:${g.int(10, 59)}.${g.digits(3)}Z`,
    () => `${g.int(10, 28)}/0${g.int(1, 9)}/20${g.int(10, 29)}`,
    () => `March ${g.int(1, 28)}, 2024 at ${g.int(1, 12)}:${g.int(10, 59)} PM`,
    () => `created_at=${1600000000000 + g.int(0, 199999999999)}`,
    () => `Tue, ${g.int(10, 28)} Mar 2024 ${g.int(10, 23)}:${g.int(10, 59)}:${g.int(10, 59)} GMT`,
    () => `${g.int(10, 28)}.0${g.int(1, 9)}.2024 ${g.int(10, 23)}:${g.int(10, 59)}`,
    () => `duration 00:${g.int(10, 59)}:${g.int(10, 59)}.${g.digits(3)}`,
    () => `between 2019-2024 and 2025-2030`,
  ])());
  d('numbers', 80, () => g.pick([
    () => `Total: $${g.int(1, 99)},${g.digits(3)}.${g.digits(2)} (incl. VAT)`,
    () => `Room ${g.int(100, 999)}, floor ${g.int(1, 12)}, building ${g.pick(['A', 'B', 'C'])}`,
    () => `coordinates 37.${g.digits(4)}, -122.${g.digits(4)}`,
    () => `${g.int(1000, 99999)} rows affected in ${g.int(1, 999)} ms`,
    () => `p50=${g.int(10, 99)}ms p95=${g.int(100, 999)}ms p99=${g.int(1000, 4000)}ms`,
    () => `listening on 127.0.0.1:${g.int(3000, 9000)}`,
    () => `gateway 192.168.${g.int(0, 255)}.1, dns 10.${g.int(0, 255)}.0.2`,
    () => `pod ${g.pick(WORDS)}-${g.str(LOWER + DIGITS, 10)}-${g.str(LOWER + DIGITS, 5)} restarted`,
    () => `scale 1:${g.int(1000, 50000)}, page ${g.int(1, 400)} of ${g.int(400, 900)}`,
  ])());
  d('harmless-encoded', 80, () => g.pick([
    () => `echo ${base64url('hello world, this is only a test').replace(/-/g, '+').replace(/_/g, '/')} | base64 -d`,
    () => `"integrity": "sha512-${b64(g, 86)}=="`,
    () => `<img src="data:image/png;base64,iVBORw0KGgo${b64(g, 120)}">`,
    () => `${g.pick(['getUserAccountSettingsById', 'handleCheckoutPaymentFormSubmit', 'AbstractSingletonProxyFactoryBean', 'base64EncodedSha256Digest', 'i18nTranslationKeyV2Config', 'useInfiniteScrollPagination'])}()`,
    () => `Stripe('pk_live_${g.str(ALNUM, 99)}')`,
    () => `const ${g.pick(['MAX_RETRY_BACKOFF_MILLISECONDS', 'DEFAULT_CONNECTION_POOL_SIZE', 'FEATURE_FLAG_NEW_CHECKOUT_V2'])} = ${g.int(1, 9999)};`,
    () => `wallet 0x${g.str(HEX, 40)}`,
    () => `font-family: "Helvetica Neue", Arial, sans-serif; color: #${g.str(HEX, 6)};`,
    () => `user@localhost, @${ascii(g.pick(FIRST))} mentioned you, npm i @${g.pick(COMPANY)}/${g.pick(WORDS)}@${g.int(1, 9)}.${g.int(0, 9)}.${g.int(0, 9)}`,
  ])());
}

// ---------------------------------------------------------------- the corpus

export function generateCorpus(seed = 20240312): CorpusCase[] {
  const g = new Gen(mulberry32(seed));
  const cases: CorpusCase[] = [];
  const add = (category: string, parts: Part[]) => {
    const { text, findings } = build(parts);
    cases.push({ id: `c${String(cases.length + 1).padStart(5, '0')}`, category, text, findings });
  };
  tokenCases(g, add);
  genericSecretCases(g, add);
  piiCases(g, add);
  customCases(g, add);
  decoyCases(g, add);
  return cases;
}
