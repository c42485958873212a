import { chinaDay, isCalendarDay, nextChinaMidnight } from './china-time.js';

describe('nextChinaMidnight', () => {
  it.each([
    ['2026-11-23T15:30:00Z', '2026-11-23T16:00:00Z'], // 23:30 Beijing → midnight
    ['2026-11-23T16:00:00Z', '2026-11-24T16:00:00Z'], // exactly midnight → the next one
    ['2026-11-23T00:00:00Z', '2026-11-23T16:00:00Z'], // 08:00 Beijing
    ['2026-12-31T20:00:00Z', '2027-01-01T16:00:00Z'], // already Jan 1 in Beijing
    ['2028-02-28T17:00:00Z', '2028-02-29T16:00:00Z'], // leap day
  ])('%s → %s', (now, midnight) => {
    expect(new Date(nextChinaMidnight(Date.parse(now))).toISOString()).toBe(
      new Date(midnight).toISOString(),
    );
  });
});

describe('chinaDay', () => {
  it.each([
    ['2026-11-23T15:59:59Z', '2026-11-23'], // 23:59:59 Beijing
    ['2026-11-23T16:00:00Z', '2026-11-24'], // midnight Beijing: the next day
    ['2026-12-31T20:00:00Z', '2027-01-01'],
  ])('%s → %s', (now, day) => {
    expect(chinaDay(Date.parse(now))).toBe(day);
  });
});

describe('isCalendarDay', () => {
  it.each([
    ['2028-02-29', true],
    ['2026-12-31', true],
    ['2026-02-29', false], // not a leap year
    ['2026-02-30', false],
    ['2026-13-01', false],
    ['2026-1-01', false],
    ['2026-01-01T00:00:00Z', false],
    ['', false],
  ])('%s → %s', (day, expected) => {
    expect(isCalendarDay(day)).toBe(expected);
  });
});
