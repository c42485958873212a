import type { LedgerSql } from './ledger-sql.js';
import type { AnsweredBy } from './ledger-row.js';
import { LEDGER_TABLE } from './ledger.migrations.js';

/** One verification as support sees it: no subject, the masked phone only. */
export interface RecentVerification {
  readonly sentAt: Date;
  readonly caller?: string;
  readonly maskedPhone?: string;
  readonly answeredBy: AnsweredBy;
  /** The result's status, `error`, or none while it is still "sent". */
  readonly status?: string;
  readonly resultCode?: number;
  readonly billed: boolean;
  /** Failed after sending, or still "sent" past its deadline. */
  readonly mayHaveBilled: boolean;
  readonly errorCode?: string;
  /** AceData's `trace_id`, to quote to its support. */
  readonly traceId?: string;
  /** The app's own id of the request (`verify(…, { requestId })`). */
  readonly requestId?: string;
  readonly latencyMs?: number;
}

/** Which verifications `recent()` lists; the filters combine. */
export interface RecentQuery {
  /** How many, newest first. Default 50, at most 500. */
  readonly limit?: number;
  /** How many of the newest matching to skip (paging). Default 0, at most 100000. */
  readonly offset?: number;
  /** Only the verification(s) with this AceData `trace_id`, or this request id. */
  readonly traceId?: string;
  /** Only those whose `trace_id` or request id starts with this. */
  readonly traceIdPrefix?: string;
  /** Only this status (`consistent`, `error`…; `sent` for a row not completed). */
  readonly status?: string;
  /** Only this caller, as the rows name it. */
  readonly caller?: string;
  /** Only from this China day (`YYYY-MM-DD`) on. */
  readonly from?: string;
  /** Only up to this China day, included. */
  readonly to?: string;
}

/** The `WHERE` clause of `query`, its values appended to `params`. */
function filtersOf(query: RecentQuery, params: unknown[]): string {
  const where: string[] = [];
  const add = (clause: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  // Whatever id a caller got: AceData's trace id, or the request's own.
  if (query.traceId !== undefined)
    add((n) => `(trace_id = ${n} OR request_id = ${n})`, query.traceId);
  if (query.traceIdPrefix !== undefined) {
    // LIKE's own wildcards in the prefix are literal characters.
    const literal = query.traceIdPrefix.replace(/[\\%_]/g, (c) => `\\${c}`);
    add(
      (n) =>
        `(trace_id LIKE ${n} || '%' ESCAPE '\\' OR request_id LIKE ${n} || '%' ESCAPE '\\')`,
      literal,
    );
  }
  if (query.status === 'sent') where.push('status IS NULL');
  else if (query.status !== undefined)
    add((n) => `status = ${n}`, query.status);
  if (query.caller !== undefined) add((n) => `caller = ${n}`, query.caller);
  if (query.from !== undefined)
    add((n) => `china_day >= ${n}::date`, query.from);
  if (query.to !== undefined) add((n) => `china_day <= ${n}::date`, query.to);
  return where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
}

interface Row {
  sent_at: Date | string;
  caller: string | null;
  masked_phone: string | null;
  answered_by: AnsweredBy;
  status: string | null;
  result_code: number | null;
  billed: boolean | null;
  may_have_billed: boolean;
  error_code: string | null;
  trace_id: string | null;
  request_id: string | null;
  latency_ms: number | null;
}

/** The newest verifications on record that match `query`. */
export async function recentVerifications(
  sql: LedgerSql,
  query: RecentQuery,
  now: number,
): Promise<RecentVerification[]> {
  const limit = Math.min(Math.max(1, Math.trunc(query.limit ?? 50)), 500);
  const offset = Math.min(Math.max(0, Math.trunc(query.offset ?? 0)), 100_000);
  const params: unknown[] = [new Date(now), limit, offset];
  const where = filtersOf(query, params);
  const { rows } = await sql.query<Row>(
    `SELECT sent_at, caller, masked_phone, answered_by, status, result_code, billed,
            (answered_by = 'upstream' AND (coalesce(may_have_billed, false)
              OR (completed_at IS NULL AND deadline_at < $1))) AS may_have_billed,
            error_code, trace_id, request_id, latency_ms
       FROM ${LEDGER_TABLE} ${where} ORDER BY sent_at DESC, id LIMIT $2 OFFSET $3`,
    params,
  );
  return rows.map((row) => ({
    sentAt: new Date(row.sent_at),
    ...(row.caller === null ? {} : { caller: row.caller }),
    ...(row.masked_phone === null ? {} : { maskedPhone: row.masked_phone }),
    answeredBy: row.answered_by,
    ...(row.status === null ? {} : { status: row.status }),
    ...(row.result_code === null ? {} : { resultCode: row.result_code }),
    billed: row.billed === true,
    mayHaveBilled: row.may_have_billed,
    ...(row.error_code === null ? {} : { errorCode: row.error_code }),
    ...(row.trace_id === null ? {} : { traceId: row.trace_id }),
    ...(row.request_id === null ? {} : { requestId: row.request_id }),
    ...(row.latency_ms === null ? {} : { latencyMs: row.latency_ms }),
  }));
}
