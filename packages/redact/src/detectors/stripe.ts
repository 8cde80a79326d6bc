// Stripe: secret (sk_) and restricted (rk_) keys, live and test, and webhook signing secrets
// (whsec_). Publishable keys (pk_live_, pk_test_) are left alone on purpose: Stripe designs them
// to be shipped in web pages, and masking them would only hide harmless page source.
import { tokenDetector } from './tokens.ts';
import { isAlnum } from './util.ts';

export const stripe = tokenDetector('stripe', 'Stripe secret and restricted keys (sk_/rk_ live and test), webhook secrets', [
  { kind: 'stripe-key', prefix: /[sr]k_(?:live|test)_/g, body: isAlnum, min: 28, max: 255 },
  { kind: 'stripe-key', prefix: /whsec_/g, body: isAlnum, min: 38, max: 80 },
]);
