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
  return dayOfMs(chinaDate(now));
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** `YYYY-MM-DD` as that day's midnight UTC in ms, or NaN when it is not a calendar day. */
export function calendarDayMs(day: string): number {
  const ms = DAY.test(day) ? Date.parse(`${day}T00:00:00Z`) : Number.NaN;
  return Number.isFinite(ms) && new Date(ms).toISOString().startsWith(day)
    ? ms
    : Number.NaN;
}

/** Whether `day` is `YYYY-MM-DD` and a day on the calendar (not 2026-02-30). */
export function isCalendarDay(day: string): boolean {
  return !Number.isNaN(calendarDayMs(day));
}

/** A midnight UTC in ms as its day, `YYYY-MM-DD`. */
export function dayOfMs(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
