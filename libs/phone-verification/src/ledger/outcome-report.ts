import type { LedgerSql } from './ledger-sql.js';
import { LEDGER_TABLE } from './ledger.migrations.js';

/** How the verifications of a range ended, and how long upstream calls took. */
export interface OutcomeReport {
  readonly from: string;
  readonly to: string;
  /** Verifications answered, by result status (`error` for failures, budget refusals included). */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Of completed calls upstream, in ms; `null` without any. */
  readonly upstreamLatencyMs: {
    readonly p50: number;
    readonly p99: number;
  } | null;
}

/** Reads the outcomes of China days `from` to `to` (included). */
export async function outcomeReport(
  sql: LedgerSql,
  range: { readonly from: string; readonly to: string },
): Promise<OutcomeReport> {
  const params = [range.from, range.to];
  const statuses = await sql.query<{ status: string; n: string | number }>(
    `SELECT status, count(*) AS n FROM ${LEDGER_TABLE}
      WHERE china_day BETWEEN $1 AND $2 AND status IS NOT NULL
      GROUP BY status ORDER BY status`,
    params,
  );
  const latency = await sql.query<{
    p50: number | string | null;
    p99: number | string | null;
  }>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99
       FROM ${LEDGER_TABLE}
      WHERE china_day BETWEEN $1 AND $2 AND answered_by = 'upstream'
        AND completed_at IS NOT NULL AND latency_ms IS NOT NULL`,
    params,
  );
  const { p50, p99 } = latency.rows[0] ?? { p50: null, p99: null };
  return {
    from: range.from,
    to: range.to,
    byStatus: Object.fromEntries(
      statuses.rows.map((row) => [row.status, Number(row.n)]),
    ),
    upstreamLatencyMs:
      p50 === null || p99 === null
        ? null
        : { p50: Math.round(Number(p50)), p99: Math.round(Number(p99)) },
  };
}
