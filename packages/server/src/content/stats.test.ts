import { describe, expect, it } from 'vitest';
import type { CaptureEvent } from '@lockstep/schema';
import { MIN_IDLE_GAP_MS } from '../domain/episodes.ts';
import { SPAN_GAP_MS, activitySpans } from './spans.ts';
import { batchStats, originOf } from './stats.ts';

describe('batchStats', () => {
  it('keeps times, counts per type, origins and activity spans only', () => {
    const events: CaptureEvent[] = [
      { seq: 4, t: 40, type: 'navigation', kind: 'load', url: 'https://mail.example.com/inbox?q=secret#x', title: 'Inbox' },
      { seq: 5, t: 10, type: 'scroll', scrollX: 0, scrollY: 5 },
      { seq: 6, t: 90, type: 'navigation', kind: 'push', url: 'https://mail.example.com/other', title: 'Other' },
      { seq: 7, t: 95, type: 'navigation', kind: 'load', url: 'about:blank', title: '' },
    ];
    expect(batchStats(events)).toEqual({
      firstT: 10,
      lastT: 95,
      eventCount: 4,
      counts: { navigation: 3, scroll: 1 },
      origins: ['https://mail.example.com'],
      // about:blank is another app than the mail site: an episode starts there.
      spans: [
        { start: 10, end: 90, events: 3, pages: 2, cut: null },
        { start: 95, end: 95, events: 1, pages: 1, cut: 'app' },
      ],
      remasked: {},
    });
  });

  it('splits activity into spans at gaps longer than SPAN_GAP_MS, from times alone', () => {
    const at = (t: number, seq: number): CaptureEvent => ({ seq, t, type: 'scroll', scrollX: 0, scrollY: t });
    const spans = activitySpans([at(0, 0), at(29_000, 1), at(70_000, 2), at(70_500, 3), at(200_000, 4)]);
    expect(spans.map((s) => [s.start, s.end, s.events])).toEqual([[0, 29_000, 2], [70_000, 70_500, 2], [200_000, 200_000, 1]]);
    expect(spans.every((s) => s.cut === null && s.pages === 0)).toBe(true);
    expect(SPAN_GAP_MS).toBeLessThan(MIN_IDLE_GAP_MS);
  });

  it('takes origins from http(s) URLs only', () => {
    expect(originOf('http://127.0.0.1:8080/a/b')).toBe('http://127.0.0.1:8080');
    expect(originOf('file:///home/me/notes.txt')).toBeUndefined();
    expect(originOf('not a url')).toBeUndefined();
  });
});
