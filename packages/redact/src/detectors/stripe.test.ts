import { describe, expect, it } from 'vitest';
import { stripe } from './stripe.ts';
import { matched } from './testing.ts';

describe('stripe', () => {
  it('finds secret and restricted keys, live and test, and webhook secrets', () => {
    expect(matched(stripe, 'sk_live_51HxAbCdEfGhIjKlMnOpQrStUv rk_test_51HxAbCdEfGhIjKlMnOpQrStUv')).toEqual(['sk_live_51HxAbCdEfGhIjKlMnOpQrStUv', 'rk_test_51HxAbCdEfGhIjKlMnOpQrStUv']);
    expect(matched(stripe, 'whsec_AbCdEfGhIjKlMnOpQrStUvWxYz012345')).toEqual(['whsec_AbCdEfGhIjKlMnOpQrStUvWxYz012345']);
  });
  it('leaves publishable keys alone (they are meant to be public)', () => {
    expect(matched(stripe, "Stripe('pk_live_51HxAbCdEfGhIjKlMnOpQrStUv')")).toEqual([]);
  });
});
