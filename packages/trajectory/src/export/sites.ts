// Site aliases: an export names the sites a person worked on without their host names. Each
// origin the program does not let through becomes `<scheme>://site-N.invalid`, numbered in the
// order the export first meets it, so that steps on one site still share one name across all
// episodes of the export. `.invalid` is reserved (RFC 6761): an alias can never resolve to a
// real host. The path, query and fragment are kept: they are what an agent navigates by.

/** One alias and the origin it stands for. */
export interface SiteAlias {
  alias: string;
  origin: string;
}

export interface SiteAliasOptions {
  /**
   * Host names the program lets through (`docs.example.com`), compared case-insensitively and
   * after IDN normalisation. Exact hosts only: `example.com` does not keep `www.example.com`.
   * IP addresses cannot be kept (listing one is an error): they point at one machine.
   */
  keep?: readonly string[];
}

export interface SiteAliases {
  /** The URL as it may appear in an export. */
  url(url: string): string;
  /**
   * The aliases handed out so far, in order. For a local tool that maps an export back to the
   * real sites; the caller decides whether it is ever written anywhere (by default it is not).
   */
  aliases(): SiteAlias[];
}

/** What a URL with no host becomes, unless it is `about:blank`: nothing of it is kept. */
export const REMOVED_URL = 'about:blank#removed';

const isIpLiteral = (hostname: string): boolean => hostname.startsWith('[') || /^\d+\.\d+\.\d+\.\d+$/.test(hostname);

/** A host name as the URL parser writes it (lower case, punycode), or an error naming the entry. */
function normaliseHost(host: string): string {
  const trimmed = host.trim();
  let parsed: URL | null = null;
  try {
    parsed = new URL(`http://${trimmed}/`);
  } catch {
    // reported below
  }
  if (trimmed.startsWith('[') || (parsed && isIpLiteral(parsed.hostname))) {
    throw new Error(`site aliases: ${JSON.stringify(host)} is an IP address; sites on IP addresses are always aliased`);
  }
  if (!parsed || trimmed === '' || /[/:?#@\s]/.test(trimmed) || parsed.hostname === '') {
    throw new Error(`site aliases: ${JSON.stringify(host)} is not a host name (give names like "docs.example.com", without scheme, port or path)`);
  }
  return parsed.hostname;
}

export function createSiteAliases(options: SiteAliasOptions = {}): SiteAliases {
  const keep = new Set((options.keep ?? []).map(normaliseHost));
  /** origin → alias, in order of first appearance. */
  const byOrigin = new Map<string, string>();

  const url = (raw: string): string => {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      return REMOVED_URL;
    }
    // No host: about:, data:, file:, blob:, mailto:, javascript:… Only an empty page is harmless
    // (and loses its fragment).
    if (u.hostname === '') return u.protocol === 'about:' && u.pathname === 'blank' ? 'about:blank' : REMOVED_URL;
    // Credentials in the URL are never kept, not even for a kept host.
    u.username = '';
    u.password = '';
    if (keep.has(u.hostname)) return u.href;
    const origin = `${u.protocol}//${u.host}`;
    let alias = byOrigin.get(origin);
    if (alias === undefined) {
      alias = `${u.protocol}//site-${byOrigin.size + 1}.invalid`;
      byOrigin.set(origin, alias);
    }
    return `${alias}${u.pathname}${u.search}${u.hash}`;
  };

  return {
    url,
    aliases: () => [...byOrigin].map(([origin, alias]) => ({ alias, origin })),
  };
}
