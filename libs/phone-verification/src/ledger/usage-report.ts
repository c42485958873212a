import { calendarDayMs, dayOfMs, isCalendarDay } from '../china-time.js';
import { rejectionCounts } from './input-rejections.js';
import type { LedgerSql } from './ledger-sql.js';
import { LEDGER_TABLE } from './ledger.migrations.js';
import {
  USAGE_COUNTS_SQL,
  countsOf,
  sumCounts,
  type CountsRow,
  type UsageCounts,
} from './usage-counts.js';

export type { UsageCounts } from './usage-counts.js';

/** One China day's counts (and one caller's, with `groupBy: 'caller'`). */
export interface UsageDay extends UsageCounts {
  /** `YYYY-MM-DD`, China time. */
  readonly day: string;
  readonly caller?: string;
}

/**
 * Upstream answers by result code over the range, with the status and
 * billing our table gave them: held against AceData's bill, a code answered
 * `answers` times that the bill charged but `billed` does not (or the other
 * way round) is a code whose meaning to override (`resultCodes`). A code
 * whose meaning changed within the range has one line per status.
 */
export interface UsageByCode {
  readonly code: number;
  readonly status: string;
  readonly answers: number;
  readonly billed: number;
}

/** The range and grouping of a report. */
export interface UsageQuery {
  /** First China day, `YYYY-MM-DD`. */
  readonly from: string;
  /** Last China day, `YYYY-MM-DD`, included. */
  readonly to: string;
  /** `day` (default) or `caller`: one line per day and caller. */
  readonly groupBy?: 'day' | 'caller';
  /** Only this caller's rows. */
  readonly caller?: string;
}

/** What `usage()` answers. */
export interface UsageReport {
  readonly from: string;
  readonly to: string;
  readonly days: UsageDay[];
  readonly totals: UsageCounts;
  readonly codes: UsageByCode[];
}

const DAY_MS = 86_400_000;

/**
 * Days one statement of a report reads at most. A wide report is read a
 * window at a time, so the writes waiting for the store (the embedded one
 * has a single connection) go in between instead of after the whole range.
 * Two days: 200,000 rows a year, five reports of the year at once, kept a
 * verification's worst latency 7 ms above a quiet app's (a week: 43 ms
 * above; bench:ledger-load).
 */
export const REPORT_WINDOW_DAYS = 2;

/** `[first, last]` cut into windows of {@link REPORT_WINDOW_DAYS} days. */
function windows(first: string, last: string): [string, string][] {
  const out: [string, string][] = [];
  const end = calendarDayMs(last);
  for (
    let at = calendarDayMs(first);
    at <= end;
    at += REPORT_WINDOW_DAYS * DAY_MS
  ) {
    out.push([
      dayOfMs(at),
      dayOfMs(Math.min(end, at + (REPORT_WINDOW_DAYS - 1) * DAY_MS)),
    ]);
  }
  return out;
}

/** Reads the ledger for {@link UsageQuery}; `now` decides which "sent" rows are past their deadline. */
export async function usageReport(
  sql: LedgerSql,
  query: UsageQuery,
  now: number,
): Promise<UsageReport> {
  if (!isCalendarDay(query.from) || !isCalendarDay(query.to)) {
    throw new RangeError('usage: from and to must be days, YYYY-MM-DD');
  }
  const byCaller = query.groupBy === 'caller';
  const params: unknown[] = [query.from, query.to, new Date(now)];
  let where = 'china_day BETWEEN $1 AND $2';
  if (query.caller !== undefined) {
    params.push(query.caller);
    where += ` AND caller = $${params.length}`;
  }
  // Only the days that hold rows are read (an index's two ends).
  const span = await sql.query<{ first: string | null; last: string | null }>(
    `SELECT to_char(min(china_day), 'YYYY-MM-DD') AS first,
            to_char(max(china_day), 'YYYY-MM-DD') AS last
       FROM ${LEDGER_TABLE} WHERE ${where} AND $3::timestamptz IS NOT NULL`,
    params,
  );
  const { first, last } = span.rows[0] ?? { first: null, last: null };
  const days: UsageDay[] = [];
  const codes = new Map<string, UsageByCode>();
  for (const [from, to] of first && last ? windows(first, last) : []) {
    const window = [from, to, ...params.slice(2)];
    days.push(...(await dayRows(sql, where, window, byCaller)));
    for (const code of await codeRows(sql, where, window)) {
      const key = `${code.code}\u0000${code.status}`;
      const seen = codes.get(key);
      codes.set(
        key,
        seen
          ? {
              ...seen,
              answers: seen.answers + code.answers,
              billed: seen.billed + code.billed,
            }
          : code,
      );
    }
  }
  const withRejections = await addRejections(sql, query, days);
  return {
    from: query.from,
    to: query.to,
    days: withRejections,
    totals: sumCounts(withRejections),
    codes: [...codes.values()].toSorted(
      (a, b) =>
        a.code - b.code ||
        (a.status < b.status ? -1 : a.status > b.status ? 1 : 0),
    ),
  };
}

/** The lines with the range's refused requests added (a day or caller with refusals alone gets a line). */
async function addRejections(
  sql: LedgerSql,
  query: UsageQuery,
  days: readonly UsageDay[],
): Promise<UsageDay[]> {
  const byCaller = query.groupBy === 'caller';
  const keyOf = (line: { day: string; caller?: string }) =>
    byCaller ? `${line.day}\u0000${line.caller ?? ''}` : line.day;
  const lines = new Map(days.map((line) => [keyOf(line), line]));
  for (const counted of await rejectionCounts(sql, query)) {
    const key = keyOf(counted);
    const line = lines.get(key) ?? {
      day: counted.day,
      ...(byCaller && counted.caller !== undefined
        ? { caller: counted.caller }
        : {}),
      ...countsOf(undefined),
    };
    lines.set(key, { ...line, rejected: line.rejected + counted.rejected });
  }
  // By day; within one, the store's order, a caller with refusals alone last.
  return [...lines.values()].toSorted((a, b) =>
    a.day < b.day ? -1 : a.day > b.day ? 1 : 0,
  );
}

/** One window's lines: per day, or per day and caller. */
async function dayRows(
  sql: LedgerSql,
  where: string,
  params: unknown[],
  byCaller: boolean,
): Promise<UsageDay[]> {
  const group = byCaller ? 'china_day, caller' : 'china_day';
  const { rows } = await sql.query<
    CountsRow & { day: string; caller: string | null }
  >(
    `SELECT to_char(china_day, 'YYYY-MM-DD') AS day${byCaller ? ', caller' : ''}, ${USAGE_COUNTS_SQL}
       FROM ${LEDGER_TABLE} WHERE ${where} GROUP BY ${group} ORDER BY ${group}`,
    params,
  );
  return rows.map((row) => ({
    day: row.day,
    ...(byCaller ? { caller: row.caller ?? undefined } : {}),
    ...countsOf(row),
  }));
}

/** One window's upstream answers by result code. */
async function codeRows(
  sql: LedgerSql,
  where: string,
  params: unknown[],
): Promise<UsageByCode[]> {
  const { rows } = await sql.query<{
    code: number;
    status: string;
    answers: string;
    billed: string;
  }>(
    `SELECT result_code AS code, status, count(*) AS answers, count(*) FILTER (WHERE billed) AS billed
       FROM ${LEDGER_TABLE} WHERE ${where} AND answered_by = 'upstream' AND result_code IS NOT NULL
       AND $3::timestamptz IS NOT NULL
       GROUP BY result_code, status`,
    params,
  );
  return rows.map((row) => ({
    code: Number(row.code),
    status: row.status,
    answers: Number(row.answers),
    billed: Number(row.billed),
  }));
}
