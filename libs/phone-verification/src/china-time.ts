/**
 * The calendar in China (UTC+8, no daylight saving), which AceData's daily
 * limit (-6: "try again the next day") and the spend budgets count in.
 */
const CHINA_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** The next midnight in China after `now`, in ms since epoch. */
export function nextChinaMidnight(now: number): number {
  return chinaDate(now) + DAY_MS - CHINA_OFFSET_MS;
}

/**
 * The calendar day in China of `now`, as that date's midnight UTC in ms since
 * epoch: comparable with `Date.UTC(year, month - 1, day)`.
 */
export function chinaDate(now: number): number {
  return Math.floor((now + CHINA_OFFSET_MS) / DAY_MS) * DAY_MS;
}

/** The calendar day in China of `now`, as `YYYY-MM-DD`. */
export function chinaDay(now: number): string {
  return new Date(chinaDate(now)).toISOString().slice(0, 10);
}
