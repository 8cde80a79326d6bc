// E-mail addresses: found from each `@`, walking a bounded distance left over the local part
// and right over the domain, so `a@a@a@…` or a megabyte of letters costs one pass.
import type { Detector } from './detector.ts';
import { isAlnum, isAlpha } from './util.ts';
import { AT, has } from './features.ts';

const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;
// `icon@2x.png`, `logo@3x.webp`: retina asset names, not addresses.
const FILE_TLDS = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'avif', 'ico', 'js', 'mjs', 'ts', 'css', 'map', 'json', 'html', 'txt', 'md', 'py', 'rb']);

// RFC 5322 dot-atom characters that people actually use
const isLocalChar = (c: number) => isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45 || c === 39;
const isDomainChar = (c: number) => isAlnum(c) || c === 46 || c === 45;

export const email: Detector = {
  name: 'email',
  family: 'pii',
  kinds: ['email'],
  description: 'e-mail addresses (ASCII; the domain needs a dot and a letter TLD)',
  gate: (f) => has(f, AT),
  find(text, out) {
    for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
      let s = at;
      while (s > 0 && at - s < MAX_LOCAL && isLocalChar(text.charCodeAt(s - 1))) s--;
      while (s < at && !isAlnum(text.charCodeAt(s))) s++; // no leading dot, quote or dash
      if (s === at || text.charCodeAt(at - 1) === 46) continue;
      // `scheme://user:password@host` is a URL's user info, not an address (mailto: is one)
      if (s > 0 && (text.charCodeAt(s - 1) === 58 || text.charCodeAt(s - 1) === 47) && !text.slice(Math.max(0, s - 7), s).toLowerCase().endsWith('mailto:')) continue;
      let e = at + 1;
      const limit = Math.min(text.length, at + 1 + MAX_DOMAIN);
      while (e < limit && isDomainChar(text.charCodeAt(e))) e++;
      // a sentence may end right after the address: trim trailing dots and dashes
      while (e > at + 1 && !isAlnum(text.charCodeAt(e - 1))) e--;
      const domain = text.slice(at + 1, e);
      const labels = domain.split('.');
      if (labels.length < 2) continue;
      if (labels.some((l) => l.length === 0 || l.length > 63 || l.startsWith('-') || l.endsWith('-'))) continue;
      const tld = labels[labels.length - 1]!;
      if (tld.length < 2 || ![...tld].every((ch) => isAlpha(ch.charCodeAt(0)))) continue;
      if (FILE_TLDS.has(tld.toLowerCase())) continue;
      // `git@github.com:org/repo.git`, `deploy@host:/srv`: an scp-style SSH address
      if (text.charCodeAt(e) === 58 && e + 1 < text.length && text.charCodeAt(e + 1) > 32) continue;
      out.push({ start: s, end: e, kind: 'email', family: 'pii' });
    }
  },
};
