import type { LedgerSql } from './ledger-sql.js';
import { LEDGER_TABLE } from './ledger.migrations.js';

/** What `usage()` counts, for a day or in total. */
export interface UsageCounts {
  /**
   * Requests sent upstream, retries included (each may be billed); a row
   * its replica left "sent" counts one.
   */
  readonly upstreamCalls: number;
  /** Answered with a billed result code. */
  readonly billed: number;
  /**
   * Failed after the request may have been written (a timeout, a lost
   * connection), or still "sent" past its deadline (its replica died):
   * perhaps billed, without a result.
   */
  readonly mayHaveBilled: number;
  readonly cacheHits: number;
  /** Answered by an identical call in flight. */
  readonly shared: number;
  readonly budgetRefused: number;
}

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

const COUNTS = `
  coalesce(sum(CASE WHEN completed_at IS NULL THEN 1 ELSE attempts END)
    FILTER (WHERE answered_by = 'upstream'), 0) AS upstream_calls,
  count(*) FILTER (WHERE billed) AS billed,
  count(*) FILTER (WHERE answered_by = 'upstream' AND (may_have_billed
    OR (completed_at IS NULL AND deadline_at < $3))) AS may_have_billed,
  count(*) FILTER (WHERE answered_by = 'cache') AS cache_hits,
  count(*) FILTER (WHERE answered_by = 'shared') AS shared,
  count(*) FILTER (WHERE answered_by = 'budget_refused') AS budget_refused`;

interface CountsRow {
  upstream_calls: string | number;
  billed: string | number;
  may_have_billed: string | number;
  cache_hits: string | number;
  shared: string | number;
  budget_refused: string | number;
}

function countsOf(row: CountsRow | undefined): UsageCounts {
  return {
    upstreamCalls: Number(row?.upstream_calls ?? 0),
    billed: Number(row?.billed ?? 0),
    mayHaveBilled: Number(row?.may_have_billed ?? 0),
    cacheHits: Number(row?.cache_hits ?? 0),
    shared: Number(row?.shared ?? 0),
    budgetRefused: Number(row?.budget_refused ?? 0),
  };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Reads the ledger for {@link UsageQuery}; `now` decides which "sent" rows are past their deadline. */
export async function usageReport(
  sql: LedgerSql,
  query: UsageQuery,
  now: number,
): Promise<UsageReport> {
  if (!DAY.test(query.from) || !DAY.test(query.to)) {
    throw new RangeError('usage: from and to must be days, YYYY-MM-DD');
  }
  const byCaller = query.groupBy === 'caller';
  const params: unknown[] = [query.from, query.to, new Date(now)];
  let where = 'china_day BETWEEN $1 AND $2';
  if (query.caller !== undefined) {
    params.push(query.caller);
    where += ` AND caller = $${params.length}`;
  }
  const group = byCaller ? 'china_day, caller' : 'china_day';
  const days = await sql.query<
    CountsRow & { day: string; caller: string | null }
  >(
    `SELECT to_char(china_day, 'YYYY-MM-DD') AS day${byCaller ? ', caller' : ''}, ${COUNTS}
       FROM ${LEDGER_TABLE} WHERE ${where} GROUP BY ${group} ORDER BY ${group}`,
    params,
  );
  const totals = await sql.query<CountsRow>(
    `SELECT ${COUNTS} FROM ${LEDGER_TABLE} WHERE ${where}`,
    params,
  );
  const codes = await sql.query<{
    code: number;
    status: string;
    answers: string;
    billed: string;
  }>(
    `SELECT result_code AS code, status, count(*) AS answers, count(*) FILTER (WHERE billed) AS billed
       FROM ${LEDGER_TABLE} WHERE ${where} AND answered_by = 'upstream' AND result_code IS NOT NULL
       AND $3::timestamptz IS NOT NULL
       GROUP BY result_code, status ORDER BY result_code, status`,
    params,
  );
  return {
    from: query.from,
    to: query.to,
    days: days.rows.map((row) => ({
      day: row.day,
      ...(byCaller ? { caller: row.caller ?? undefined } : {}),
      ...countsOf(row),
    })),
    totals: countsOf(totals.rows[0]),
    codes: codes.rows.map((row) => ({
      code: Number(row.code),
      status: row.status,
      answers: Number(row.answers),
      billed: Number(row.billed),
    })),
  };
}
