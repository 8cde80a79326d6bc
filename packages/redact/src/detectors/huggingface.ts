// Hugging Face user access tokens (hf_ + 34 letters) and organisation tokens (api_org_).
import { tokenDetector } from './tokens.ts';
import { isAlnum } from './util.ts';

export const huggingface = tokenDetector('huggingface', 'Hugging Face access tokens (hf_, api_org_)', [
  { kind: 'huggingface-token', prefix: /hf_/g, body: isAlnum, min: 33, max: 43, shape: /^hf_(?=[A-Za-z0-9]*[A-Z])(?=[A-Za-z0-9]*[a-z])[A-Za-z0-9]{30,40}$/ },
  { kind: 'huggingface-token', prefix: /api_org_/g, body: isAlnum, min: 38, max: 48 },
]);
