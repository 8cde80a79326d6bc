/** A small client for the Lockstep HTTP API with errors that say what to do. */

export class ApiRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

export interface Client {
  readonly server: string;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  put<T>(path: string, body?: unknown): Promise<T>;
  delete(path: string): Promise<void>;
}

const HINTS: Record<number, string> = {
  401: 'the credential is missing or no longer valid; enroll again with `lockstep enroll CODE`',
  403: 'this credential is not allowed to do that',
  404: 'no such item (it may have been deleted)',
};

export function createClient(server: string, token?: string): Client {
  const base = server.replace(/\/+$/, '');
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new ApiRequestError(`cannot reach the Lockstep server at ${base} (${cause}); is \`lockstep up\` running there?`, 0, 'unreachable');
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const e = (json ?? {}) as { error?: string; message?: string; field?: string };
      const hint = HINTS[res.status];
      const message = `${method} ${path} failed (${res.status}): ${e.message ?? res.statusText}${hint ? ` — ${hint}` : ''}`;
      throw new ApiRequestError(message, res.status, e.error ?? 'error', e.field);
    }
    return json as T;
  }
  return {
    server: base,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body ?? {}),
    put: (path, body) => call('PUT', path, body ?? {}),
    delete: async (path) => {
      await call('DELETE', path);
    },
  };
}
