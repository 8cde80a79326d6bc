import { it } from 'vitest';
import { createUser, enrollAdmin, startTestServer } from '../testing/harness.ts';
it('bench', async () => {
  const t = await startTestServer({ clock: () => Date.now() });
  const admin = await enrollAdmin(t.api, t.server.bootstrapCode);
  for (const conc of [1, 4, 8, 16]) {
    let s = performance.now();
    const n = 160;
    for (let i = 0; i < n; i += conc) await Promise.all(Array.from({ length: conc }, () => t.api.call('GET', '/v1/me', { token: admin.token })));
    const me = (performance.now() - s) / n;
    s = performance.now();
    const m = 40;
    for (let i = 0; i < m; i += conc) await Promise.all(Array.from({ length: Math.min(conc, m) }, () => createUser(t.api, admin.token, ['researcher'])));
    process.stderr.write(`conc ${conc}: me ${me.toFixed(2)} ms/call, createUser ${((performance.now() - s) / m).toFixed(2)} ms/user\n`);
  }
  await t.cleanup();
}, 120000);
