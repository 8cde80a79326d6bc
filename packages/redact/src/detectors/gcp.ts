// Google Cloud: API keys (AIza + 35), OAuth client secrets (GOCSPX-), OAuth access tokens
// (ya29.), and the private_key_id of a service-account key file (its private_key is a PEM block,
// found by private-key.ts, JSON-escaped or not).
import { tokenDetector } from './tokens.ts';
import { isHex, isTokenChar } from './util.ts';

export const gcp = tokenDetector('gcp', 'Google Cloud API keys, OAuth client secrets and access tokens, service-account key ids', [
  { kind: 'gcp-api-key', prefix: /AIza/g, min: 39, max: 39 },
  { kind: 'gcp-oauth-client-secret', prefix: /GOCSPX-/g, min: 35, max: 35 },
  { kind: 'gcp-oauth-token', prefix: /ya29\./g, body: (c) => isTokenChar(c) || c === 46, min: 30, max: 2048 },
  { kind: 'gcp-service-account-key-id', prefix: /"private_key_id"[ \t]{0,4}:[ \t]{0,4}"/g, body: isHex, min: 40, max: 40, valueOnly: true, before: () => false },
]);
