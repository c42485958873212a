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
  /** Requests refused for their input (nothing sent): `UsageLedger.rejected()`. */
  readonly rejected: number;
}

/**
 * The counts of {@link UsageCounts} as SQL select items over the ledger's
 * rows (`$3`: now, for the rows "sent" past their deadline).
 */
export const USAGE_COUNTS_SQL = `
  coalesce(sum(CASE WHEN completed_at IS NULL THEN 1 ELSE attempts END)
    FILTER (WHERE answered_by = 'upstream'), 0) AS upstream_calls,
  count(*) FILTER (WHERE billed) AS billed,
  count(*) FILTER (WHERE answered_by = 'upstream' AND (may_have_billed
    OR (completed_at IS NULL AND deadline_at < $3))) AS may_have_billed,
  count(*) FILTER (WHERE answered_by = 'cache') AS cache_hits,
  count(*) FILTER (WHERE answered_by = 'shared') AS shared,
  count(*) FILTER (WHERE answered_by = 'budget_refused') AS budget_refused`;

/** A counts row as the store answers it. */
export interface CountsRow {
  upstream_calls: string | number;
  billed: string | number;
  may_have_billed: string | number;
  cache_hits: string | number;
  shared: string | number;
  budget_refused: string | number;
}

/** A counts row as numbers (drivers give counts as text); none: zeros. */
export function countsOf(row: CountsRow | undefined): UsageCounts {
  return {
    upstreamCalls: Number(row?.upstream_calls ?? 0),
    billed: Number(row?.billed ?? 0),
    mayHaveBilled: Number(row?.may_have_billed ?? 0),
    cacheHits: Number(row?.cache_hits ?? 0),
    shared: Number(row?.shared ?? 0),
    budgetRefused: Number(row?.budget_refused ?? 0),
    rejected: 0,
  };
}

/** The counts of several days (or callers) added up. */
export function sumCounts(days: readonly UsageCounts[]): UsageCounts {
  const total = countsOf(undefined) as {
    -readonly [K in keyof UsageCounts]: number;
  };
  for (const day of days) {
    for (const key of Object.keys(total) as (keyof UsageCounts)[])
      total[key] += day[key];
  }
  return total;
}
