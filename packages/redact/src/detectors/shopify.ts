// Shopify: admin API access tokens (shpat_), custom-app (shpca_), private-app (shppa_) tokens and shared secrets (shpss_).
import { tokenDetector } from './tokens.ts';
import { isHex } from './util.ts';

export const shopify = tokenDetector('shopify', 'Shopify access tokens and shared secrets (shpat_, shpca_, shppa_, shpss_)', [
  { kind: 'shopify-token', prefix: /shp(?:at|ca|pa|ss)_/g, body: isHex, min: 38, max: 38 },
]);
