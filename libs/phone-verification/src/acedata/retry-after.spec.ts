import { parseRetryAfter } from './retry-after.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-23T12:00:00Z');
  it.each([
    ['1', 1000],
    ['0', 0],
    [' 120 ', 120_000],
    ['1.5', 1500],
    ['Mon, 23 Nov 2026 12:00:05 GMT', 5000],
    ['Mon, 23 Nov 2026 11:59:00 GMT', 0],
  ])('%j → %d ms', (header, ms) =>
    expect(parseRetryAfter(header, now)).toBe(ms),
  );

  it.each([[undefined], ['soon'], ['-1'], ['']])('%j → undefined', (header) =>
    expect(parseRetryAfter(header, now)).toBeUndefined(),
  );

  it('takes the first of repeated headers', () => {
    expect(parseRetryAfter(['2', '9'], now)).toBe(2000);
  });
});
