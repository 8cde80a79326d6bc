import { describe, expect, it } from 'vitest';
import { anthropic } from './anthropic.ts';
import { matched } from './testing.ts';

describe('anthropic', () => {
  it('finds API and admin keys', () => {
    const key = `sk-ant-api03-${'Ab1_Cd2-'.repeat(11)}AbCdEAA`;
    expect(matched(anthropic, `ANTHROPIC_API_KEY=${key}`)).toEqual([key]);
    expect(matched(anthropic, `sk-ant-admin01-${'x'.repeat(90)}`)).toHaveLength(1);
  });
  it('ignores short look-alikes', () => expect(matched(anthropic, 'sk-ant-api03-short')).toEqual([]));
});
