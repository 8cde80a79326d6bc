import { z } from 'zod';
import type { App } from '../http/types.ts';

export function healthRoutes(app: App): void {
  app.get('/healthz', { schema: { summary: 'Liveness', tags: ['meta'], response: { 200: z.object({ ok: z.literal(true) }) } } }, async () => ({ ok: true as const }));

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
