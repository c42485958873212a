import type { RecentQuery, RecentVerification } from '@app/phone-verification';
import { stringify } from 'csv-stringify/sync';
import type { RecentVerificationsQueryDto } from './board-requests.dto.js';

/** The most rows one CSV export holds, newest first. */
export const CSV_ROWS = 10_000;

/** One verification as the board's endpoints answer it: masked, no subject. */
export interface VerificationAnswer {
  readonly at: string;
  readonly caller: string | null;
  /** The name its key was given (`name=key` in `SAMPLE_APP_API_KEYS`), never the key. */
  readonly caller_name: string | null;
  readonly masked_phone: string | null;
  readonly answered_by: string;
  readonly status: string;
  readonly code: number | null;
  readonly billed: boolean;
  readonly may_have_billed: boolean;
  readonly error: string | null;
  readonly trace_id: string | null;
  /** The request's own id: the trace_id its caller got when AceData sent none. */
  readonly request_id: string | null;
  readonly latency_ms: number | null;
}

/** How the board names callers: a caller's name by its id, and the id an operator means. */
export interface CallerNames {
  nameOf(callerId: string): string | undefined;
  callerIdOf(nameOrId: string | undefined): string | undefined;
}

/** The ledger's filters of a validated query (limit and page aside); a caller by name or id. */
export function filtersOf(
  query: RecentVerificationsQueryDto,
  callers: CallerNames,
): RecentQuery {
  return {
    traceId: query.trace_id,
    traceIdPrefix: query.trace_id_prefix,
    status: query.status,
    caller: callers.callerIdOf(query.caller),
    from: query.from,
    to: query.to,
  };
}

export function verificationAnswer(
  row: RecentVerification,
  callers: CallerNames,
): VerificationAnswer {
  return {
    at: row.sentAt.toISOString(),
    caller: row.caller ?? null,
    caller_name:
      row.caller === undefined ? null : (callers.nameOf(row.caller) ?? null),
    masked_phone: row.maskedPhone ?? null,
    answered_by: row.answeredBy,
    status: row.status ?? 'sent',
    code: row.resultCode ?? null,
    billed: row.billed,
    may_have_billed: row.mayHaveBilled,
    error: row.errorCode ?? null,
    trace_id: row.traceId ?? null,
    request_id: row.requestId ?? null,
    latency_ms: row.latencyMs ?? null,
  };
}

const COLUMNS = [
  'at',
  'caller',
  'caller_name',
  'masked_phone',
  'answered_by',
  'status',
  'code',
  'billed',
  'may_have_billed',
  'error',
  'trace_id',
  'request_id',
  'latency_ms',
] as const satisfies readonly (keyof VerificationAnswer)[];

/** A cell a spreadsheet will not run as a formula. */
function safeCell(value: unknown): string {
  const text = value === null ? '' : String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/**
 * The rows as CSV, a header first. Every value is the ledger's (masked
 * phones, caller ids), and a cell that a spreadsheet would run as a formula
 * (`=`, `+`, `-`, `@`) is quoted with a leading `'`.
 */
export function verificationsCsv(rows: readonly VerificationAnswer[]): string {
  return stringify([
    [...COLUMNS],
    ...rows.map((row) => COLUMNS.map((column) => safeCell(row[column]))),
  ]);
}
