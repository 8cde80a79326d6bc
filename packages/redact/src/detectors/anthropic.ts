// Anthropic API and admin keys: sk-ant-api03-…, sk-ant-admin01-… (about 100 base64url characters ending in AA).
import { tokenDetector } from './tokens.ts';

export const anthropic = tokenDetector('anthropic', 'Anthropic API and admin keys (sk-ant-…)', [
  { kind: 'anthropic-key', prefix: /sk-ant-(?:api|admin|oat|sid)\d\d-/g, min: 60, max: 200 },
]);
