import { describe, expect, it } from 'vitest';
import { MAX_ORIGINS, emptyStats, mergeStats } from './stats.ts';

describe('mergeStats', () => {
  it('folds batches in any order into min/max times, sums and distinct origins', () => {
    const later = { firstT: 500, lastT: 900, eventCount: 3, counts: { pointer: 2, navigation: 1 }, origins: ['https://b.example'], remasked: { email: 1 } };
    const earlier = { firstT: 0, lastT: 400, eventCount: 2, counts: { pointer: 1, key: 1 }, origins: ['https://a.example', 'https://b.example'], remasked: { email: 2, 'aws-access-key': 1 } };
    const merged = mergeStats(mergeStats(emptyStats(), later, { rawBytes: 100, storedBytes: 20 }), earlier, { rawBytes: 50, storedBytes: 10 });
    expect(merged).toEqual({
      firstT: 0,
      lastT: 900,
      eventCount: 5,
      batchCount: 2,
      rawBytes: 150,
      storedBytes: 30,
      counts: { pointer: 3, navigation: 1, key: 1 },
      origins: ['https://b.example', 'https://a.example'],
      remasked: { email: 3, 'aws-access-key': 1 },
    });
  });

  it('caps the number of origins', () => {
    const origins = Array.from({ length: MAX_ORIGINS + 10 }, (_, i) => `https://h${i}.example`);
    const merged = mergeStats(emptyStats(), { firstT: 0, lastT: 0, eventCount: 1, counts: {}, origins, remasked: {} }, { rawBytes: 1, storedBytes: 1 });
    expect(merged.origins).toHaveLength(MAX_ORIGINS);
  });
});
