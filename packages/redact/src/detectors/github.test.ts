import { describe, expect, it } from 'vitest';
import { github } from './github.ts';
import { matched } from './testing.ts';

const t36 = 'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1eF3hJ5';
describe('github', () => {
  it('finds classic and fine-grained tokens', () => {
    for (const p of ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_']) expect(matched(github, `token ${p}${t36} ok`)).toEqual([`${p}${t36}`]);
    const pat = `github_pat_${'A1b2C3d4E5f6G7h8I9j0K1'}_${'x'.repeat(59)}`;
    expect(matched(github, `GH_TOKEN=${pat}`)).toEqual([pat]);
  });
  it('needs the exact length and a boundary', () => {
    expect(matched(github, `ghp_${t36}x xghp_${t36} ghp_short`)).toEqual([]);
  });
});
