import { describe, expect, it } from 'vitest';
import { createSiteAliases, REMOVED_URL } from './sites.ts';

describe('createSiteAliases', () => {
  it('aliases each origin in order of first appearance and keeps path, query and fragment', () => {
    const sites = createSiteAliases();
    expect(sites.url('https://mail.example.com/inbox?folder=2#m-17')).toBe('https://site-1.invalid/inbox?folder=2#m-17');
    expect(sites.url('http://intranet.corp:8080/wiki/Page')).toBe('http://site-2.invalid/wiki/Page');
    expect(sites.url('https://MAIL.example.com/sent')).toBe('https://site-1.invalid/sent');
    // Another scheme or port is another origin.
    expect(sites.url('http://mail.example.com/')).toBe('http://site-3.invalid/');
    expect(sites.url('http://intranet.corp:8081/')).toBe('http://site-4.invalid/');
    expect(sites.aliases()).toEqual([
      { alias: 'https://site-1.invalid', origin: 'https://mail.example.com' },
      { alias: 'http://site-2.invalid', origin: 'http://intranet.corp:8080' },
      { alias: 'http://site-3.invalid', origin: 'http://mail.example.com' },
      { alias: 'http://site-4.invalid', origin: 'http://intranet.corp:8081' },
    ]);
  });

  it('lets the hosts the program names through, case-insensitively and exactly', () => {
    const sites = createSiteAliases({ keep: ['Docs.Example.com', ' bücher.de '] });
    expect(sites.url('https://docs.example.com/guide?q=1')).toBe('https://docs.example.com/guide?q=1');
    expect(sites.url('https://DOCS.example.com:8443/')).toBe('https://docs.example.com:8443/');
    expect(sites.url('https://bücher.de/')).toBe('https://xn--bcher-kva.de/');
    expect(sites.url('https://www.docs.example.com/')).toBe('https://site-1.invalid/');
    expect(sites.url('https://example.com/')).toBe('https://site-2.invalid/');
  });

  it('never keeps credentials in a URL', () => {
    const sites = createSiteAliases({ keep: ['docs.example.com'] });
    expect(sites.url('https://ada:s3cret@docs.example.com/a')).toBe('https://docs.example.com/a');
    expect(sites.url('https://ada:s3cret@other.example.com/a')).toBe('https://site-1.invalid/a');
    expect(sites.aliases()).toEqual([{ alias: 'https://site-1.invalid', origin: 'https://other.example.com' }]);
  });

  it('always aliases IP addresses, and refuses to keep one', () => {
    const sites = createSiteAliases({ keep: ['localhost'] });
    expect(sites.url('http://127.0.0.1:3000/x')).toBe('http://site-1.invalid/x');
    expect(sites.url('http://[::1]:3000/x')).toBe('http://site-2.invalid/x');
    expect(sites.url('http://0x7f.1:3000/y')).toBe('http://site-1.invalid/y');
    expect(sites.url('http://localhost:3000/x')).toBe('http://localhost:3000/x');
    expect(() => createSiteAliases({ keep: ['10.0.0.1'] })).toThrow('site aliases: "10.0.0.1" is an IP address; sites on IP addresses are always aliased');
    expect(() => createSiteAliases({ keep: ['[::1]'] })).toThrow(/is an IP address/);
  });

  it('refuses keep entries that are not host names', () => {
    for (const bad of ['https://docs.example.com', 'docs.example.com/guide', 'docs.example.com:443', '', 'a b']) {
      expect(() => createSiteAliases({ keep: [bad] }), bad).toThrow(/is not a host name/);
    }
  });

  it('keeps about:blank and removes URLs that carry no site (files, data, mail addresses, scripts)', () => {
    const sites = createSiteAliases();
    expect(sites.url('about:blank')).toBe('about:blank');
    expect(sites.url('about:blank#anything')).toBe('about:blank');
    for (const u of ['file:///home/ada/notes.txt', 'data:text/html,<b>hi</b>', 'mailto:ada@example.com', 'javascript:alert(1)', 'blob:https://a.example/1234', 'about:config', 'not a url', '']) {
      expect(sites.url(u), u).toBe(REMOVED_URL);
    }
    expect(sites.aliases()).toEqual([]);
  });
});
