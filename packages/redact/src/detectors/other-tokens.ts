// Other self-describing token formats, one rule each: DigitalOcean, HashiCorp Vault, Postman,
// Linear, Notion, Atlassian, Mailgun, Mailchimp, Square, Databricks, Grafana, age, Doppler,
// Heroku-style OAuth (not recognisable: left to the generic rules).
import { tokenDetector } from './tokens.ts';
import { isAlnum, isHex } from './util.ts';

const isLowerHex = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
const isUpperAlnum = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90);

export const otherTokens = tokenDetector('other-tokens', 'DigitalOcean, Vault, Postman, Linear, Notion, Atlassian, Mailgun, Mailchimp, Square, Databricks, Grafana, age, Doppler tokens', [
  { kind: 'digitalocean-token', prefix: /do[por]_v1_/g, body: isLowerHex, min: 71, max: 71 },
  { kind: 'vault-token', prefix: /hv[sb]\./g, min: 28, max: 200 },
  { kind: 'postman-key', prefix: /PMAK-/g, body: (c) => isHex(c) || c === 45, min: 64, max: 64, shape: /^PMAK-[0-9a-f]{24}-[0-9a-f]{34}$/ },
  { kind: 'linear-key', prefix: /lin_(?:api|oauth)_/g, body: isAlnum, min: 48, max: 60 },
  { kind: 'notion-token', prefix: /(?:secret_|ntn_)/g, body: isAlnum, min: 46, max: 56, validate: (t) => /\d/.test(t) && /[A-Z]/.test(t) },
  { kind: 'atlassian-token', prefix: /ATATT3/g, body: (c) => isAlnum(c) || c === 95 || c === 45 || c === 61, min: 150, max: 300 },
  { kind: 'mailgun-key', prefix: /key-/g, body: isLowerHex, min: 36, max: 36 },
  { kind: 'mailchimp-key', prefix: /[0-9a-f]{32}-us/g, literal: { text: '-us', back: 32 }, body: (c) => c >= 48 && c <= 57, min: 36, max: 37, before: isAlnum },
  { kind: 'square-token', prefix: /sq0(?:atp|csp)-/g, min: 29, max: 60 },
  { kind: 'square-token', prefix: /EAAA/g, min: 64, max: 64, validate: (t) => /\d/.test(t) && /[a-z]/.test(t) },
  { kind: 'databricks-token', prefix: /dapi/g, body: (c) => isLowerHex(c) || c === 45, min: 36, max: 40, shape: /^dapi[0-9a-f]{32}(?:-\d)?$/ },
  { kind: 'grafana-token', prefix: /gl(?:sa|c)_/g, body: (c) => isAlnum(c) || c === 95 || c === 61, min: 32, max: 200 },
  { kind: 'age-secret-key', prefix: /AGE-SECRET-KEY-1/g, body: isUpperAlnum, min: 74, max: 74 },
  { kind: 'doppler-token', prefix: /dp\.(?:pt|st|sa|ct|scim|audit)\./g, body: isAlnum, min: 40, max: 60 },
]);
