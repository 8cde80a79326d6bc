import { describe, expect, it } from 'vitest';
import { openai } from './openai.ts';
import { matched } from './testing.ts';

describe('openai', () => {
  it('finds project, service-account and legacy keys', () => {
    const proj = `sk-proj-${'Ab1_Cd2-'.repeat(8)}`;
    expect(matched(openai, `OPENAI_API_KEY=${proj}`)).toEqual([proj]);
    const legacy = `sk-${'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1eF3hJ5kL7nP9rT1vX3z'.slice(0, 48)}`;
    expect(matched(openai, legacy)).toEqual([legacy]);
  });
  it("leaves Anthropic's sk-ant- keys and ordinary words alone", () => {
    expect(matched(openai, `sk-ant-api03-${'a'.repeat(95)} task-list risk-free`)).toEqual([]);
  });
});
