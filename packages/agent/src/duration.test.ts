import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it('reads the forms people write', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration(' 15 ')).toBe(900_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
  });

  it('refuses anything else with the accepted forms in the message', () => {
    for (const bad of ['', 'soon', '10 minutes', '-5m', '0', '0m', '5x', 'm10', '1h-30m']) {
      expect(() => parseDuration(bad), bad).toThrow(/write it like 90s, 10m, 2h or 1h30m/);
    }
  });
});

describe('formatDuration', () => {
  it('writes hours and minutes, seconds only under an hour', () => {
    expect(formatDuration(500)).toBe('500 ms');
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(5_400_000)).toBe('1h 30m');
    expect(formatDuration(600_000)).toBe('10m');
  });
});
