import { describe, expect, it } from 'vitest';
import { telegram } from './telegram.ts';
import { matched } from './testing.ts';

describe('telegram', () => {
  it('finds bot tokens', () => expect(matched(telegram, 'TG_TOKEN=123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw8')).toEqual(['123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw8']));
  it('ignores times and short look-alikes', () => expect(matched(telegram, '12345678:AA 2024:AAx')).toEqual([]));
});
