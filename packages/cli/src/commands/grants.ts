import type { Command } from 'commander';
import { type Opts, enc, parseExpiry, print, table, userClient, withServer } from './common.ts';

interface Grant {
  id: string;
  dataset: string;
  requester: string;
  purpose: string;
  status: string;
  expiresAt: string;
}

export function register(program: Command): void {
  const grants = program.command('grants').description('Grants: purpose-bound, expiring, approved access to one dataset, de-identified.');
  withServer(grants.command('request').argument('<dataset>', 'dataset id (dst_…)').description('Request a grant (researcher); a steward who is not you approves it.'))
    .requiredOption('--purpose <purpose>', 'one purpose of the program: agent-training, evaluation, safety-research or product-research')
    .option('--expires <when>', 'an ISO time or a duration such as 30d (at most 90 days)', '30d')
    .action(async (dataset: string, opts: Opts & { purpose: string; expires: string }) => {
      const res = await userClient(opts).post<Grant>('/v1/grants', { dataset, purpose: opts.purpose, expiresAt: parseExpiry(opts.expires) });
      print(opts, res, () => `requested grant ${res.id} on ${res.dataset} for ${res.purpose} until ${res.expiresAt}; a steward must approve it`);
    });
  for (const [verb, text] of [
    ['approve', 'Approve a requested grant (a steward who is not its requester).'],
    ['deny', 'Deny a requested grant (a steward who is not its requester).'],
    ['revoke', 'Revoke a grant (a steward, or its requester); reads through it stop at once.'],
  ] as const) {
    withServer(grants.command(verb).argument('<grant>', 'grant id (grt_…)').description(text)).action(async (id: string, opts: Opts) => {
      const res = await userClient(opts).post<Grant>(`/v1/grants/${enc(id)}/${verb}`);
      print(opts, res, () => `${res.id}: ${res.status}`);
    });
  }
  withServer(grants.command('list').description('Your grants (researcher), or all (steward).')).action(async (opts: Opts) => {
    const { grants: list } = await userClient(opts).get<{ grants: Grant[] }>('/v1/grants');
    print(opts, list, () => table(list.map((g) => ({ ...g })), ['id', 'dataset', 'requester', 'purpose', 'status', 'expiresAt']));
  });
  withServer(grants.command('read').argument('<grant>', 'grant id (grt_…)').argument('[episode]', 'one episode (epi_…); default: every episode of the dataset').description('Read released episodes of the granted dataset, de-identified, as JSON lines.')).action(
    async (id: string, episode: string | undefined, opts: Opts) => {
      const client = userClient(opts);
      let ids = episode ? [episode] : [];
      if (!episode) {
        const grant = await client.get<Grant>(`/v1/grants/${enc(id)}`);
        ids = (await client.get<{ episodes: string[] }>(`/v1/datasets/${enc(grant.dataset)}`)).episodes;
      }
      for (const e of ids) process.stdout.write(`${JSON.stringify(await client.get(`/v1/grants/${enc(id)}/episodes/${enc(e)}`))}\n`);
    },
  );
}
