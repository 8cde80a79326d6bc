import { describe, expect, it } from 'vitest';
import { chunkAad, packEvents, unpackEvents } from './chunk.ts';

describe('chunk packing', () => {
  it('round-trips JSON, including non-ASCII text, and shrinks repetitive events', () => {
    const events = Array.from({ length: 200 }, (_, i) => ({ seq: i, t: i * 16, type: 'input', value: `héllo wörld ✓ ${i}`, target: { tag: 'input', selector: '#q' } }));
    const json = JSON.stringify(events);
    const packed = packEvents(json);
    expect(unpackEvents(packed)).toBe(json);
    expect(packed.length).toBeLessThan(Buffer.byteLength(json) / 4);
  });

  it('names subject, session and chunk in the AAD', () => {
    expect(chunkAad('usr_a', 'ses_b', 'chk_c')).toBe('lockstep/chunk/v1/usr_a/ses_b/chk_c');
  });
});
