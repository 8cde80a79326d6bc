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
  /** The lines of a streamed (NDJSON) response, as they arrive. */
  lines(path: string): AsyncGenerator<string, void, undefined>;
}

const HINTS: Record<number, string> = {
  401: 'the credential is missing or no longer valid; enroll again with `lockstep enroll CODE`',
  403: 'this credential is not allowed to do that',
  404: 'no such item (it may have been deleted)',
};

/** A response's JSON body, or undefined when it has none or it is not JSON. */
async function bodyOf(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

export function createClient(server: string, token?: string): Client {
  const base = server.replace(/\/+$/, '');
  async function send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new ApiRequestError(`cannot reach the Lockstep server at ${base} (${cause}); is \`lockstep up\` running there?`, 0, 'unreachable');
    }
  }
  function failure(method: string, path: string, res: Response, json: unknown): ApiRequestError {
    const e = (json ?? {}) as { error?: string; message?: string; field?: string };
    const hint = HINTS[res.status];
    const message = `${method} ${path} failed (${res.status}): ${e.message ?? res.statusText}${hint ? ` — ${hint}` : ''}`;
    return new ApiRequestError(message, res.status, e.error ?? 'error', e.field);
  }
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await send(method, path, body);
    if (res.status === 204) return undefined as T;
    const json = await bodyOf(res);
    if (!res.ok) throw failure(method, path, res, json);
    return json as T;
  }
  async function* lines(path: string): AsyncGenerator<string, void, undefined> {
    const res = await send('GET', path);
    if (!res.ok || !res.body) throw failure('GET', path, res, await bodyOf(res));
    const decoder = new TextDecoder();
    let pending = '';
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        pending += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          if (line.trim()) yield line;
        }
      }
      pending += decoder.decode();
      if (pending.trim()) yield pending;
    } finally {
      // The reader stopped early (an error, a bad line): let the server stop sending.
      await reader.cancel().catch(() => undefined);
    }
  }
  return {
    server: base,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body ?? {}),
    put: (path, body) => call('PUT', path, body ?? {}),
    delete: async (path) => {
      await call('DELETE', path);
    },
    lines,
  };
}
