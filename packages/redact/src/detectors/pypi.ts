// PyPI API tokens: pypi- + a macaroon whose base64 starts with AgE (pypi.org: AgEIcHlwaS5vcmc).
import { tokenDetector } from './tokens.ts';

export const pypi = tokenDetector('pypi', 'PyPI API tokens (pypi-AgE…)', [
  { kind: 'pypi-token', prefix: /pypi-AgE/g, min: 60, max: 512 },
]);
