// The WHATWG URL class exists in every runtime the pure core runs in (browsers, Node, workers)
// and the lint rule lets it through, but the ES library this package compiles against does not
// declare it (the DOM and Node typings are left out on purpose). This declares the part the
// export writers use; add members here when a writer needs more.
declare class URL {
  constructor(url: string, base?: string);
  readonly href: string;
  readonly origin: string;
  readonly protocol: string;
  username: string;
  password: string;
  readonly host: string;
  readonly hostname: string;
  readonly port: string;
  readonly pathname: string;
  readonly search: string;
  readonly hash: string;
  toString(): string;
}
