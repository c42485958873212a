import type { VerifyMode } from '../dto/phone-verification-request.js';
import type { PhoneVerificationResult } from '../dto/phone-verification-result.js';

/**
 * How a `verify()` was answered: by a call upstream (billed-maybe), or at no
 * cost (the cache, an identical call in flight, a spent budget).
 */
export type AnsweredBy = 'upstream' | 'cache' | 'shared' | 'budget_refused';

/** One row of the ledger: one `verify()` that got past local validation. */
export interface LedgerRow {
  readonly id: string;
  /** When it was asked (and, for `upstream`, when the "sent" row was written). */
  readonly sentAt: number;
  /** The China day of `sentAt`, `YYYY-MM-DD`: budgets and reports count in it. */
  readonly chinaDay: string;
  /** Past this, a row still "sent" is a call that may have been billed. */
  readonly deadlineAt: number;
  readonly replica: string;
  /** Who asked, as the app labels its callers (`verify(…, { caller })`). */
  readonly caller?: string;
  /** The app's own id of the request (`verify(…, { requestId })`), so the id its caller got finds the row. */
  readonly requestId?: string;
  /** HMAC-SHA256 of the name, phone and ID number under the ledger's secret; none for encrypted fields. */
  readonly subjectHmac?: string;
  readonly maskedPhone?: string;
  readonly verifyMode: VerifyMode;
  readonly encrypted: boolean;
  readonly answeredBy: AnsweredBy;
}

/** What is known once a call is answered (or failed). */
export interface LedgerCompletion {
  readonly completedAt: number;
  /** The result's status, or `error`. */
  readonly status: string;
  readonly resultCode?: number;
  readonly billed: boolean;
  readonly mayHaveBilled: boolean;
  readonly errorCode?: string;
  readonly traceId?: string;
  readonly attempts: number;
  readonly latencyMs: number;
}

/** The longest text kept in a column (trace ids, codes, callers): the store's index must take any row. */
export const MAX_LEDGER_TEXT = 128;
const INT32_MAX = 2_147_483_647;

/** A text as a column takes it: no NUL (PostgreSQL refuses it), bounded. */
export function columnText(value: string | undefined): string | null {
  if (value === undefined || value === null) return null;
  const text = String(value);
  // oxlint-disable-next-line no-control-regex
  const clean = text.includes('\u0000') ? text.replace(/\u0000/g, '') : text;
  // As many UTF-16 units as the limit are as many characters at most.
  if (clean.length <= MAX_LEDGER_TEXT) return clean;
  return [...clean].slice(0, MAX_LEDGER_TEXT).join('');
}

/** A whole number an `integer` column takes, else null (or 0 where one is required). */
function int(value: number | undefined): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  const n = Math.round(value);
  return Math.abs(n) > INT32_MAX ? null : n;
}

/** The values of a row and its completion, in the order of {@link LEDGER_COLUMNS}. */
export function rowValues(
  row: LedgerRow,
  completion?: LedgerCompletion,
): unknown[] {
  return [
    row.id,
    new Date(row.sentAt),
    row.chinaDay,
    new Date(row.deadlineAt),
    columnText(row.replica),
    columnText(row.caller),
    columnText(row.requestId),
    row.subjectHmac ?? null,
    row.maskedPhone ?? null,
    row.verifyMode,
    row.encrypted,
    row.answeredBy,
    ...completionValues(completion),
  ];
}

/** The completion's values, in the order of {@link COMPLETION_COLUMNS}. */
export function completionValues(completion?: LedgerCompletion): unknown[] {
  return completion
    ? [
        new Date(completion.completedAt),
        columnText(completion.status),
        int(completion.resultCode),
        completion.billed,
        completion.mayHaveBilled,
        columnText(completion.errorCode),
        columnText(completion.traceId),
        int(completion.attempts) ?? 0,
        int(completion.latencyMs),
      ]
    : [null, null, null, null, null, null, null, 0, null];
}

/** The columns a completion fills. */
export const COMPLETION_COLUMNS = [
  'completed_at',
  'status',
  'result_code',
  'billed',
  'may_have_billed',
  'error_code',
  'trace_id',
  'attempts',
  'latency_ms',
] as const;

/** Every column written, in the order of {@link rowValues}. */
export const LEDGER_COLUMNS = [
  'id',
  'sent_at',
  'china_day',
  'deadline_at',
  'replica',
  'caller',
  'request_id',
  'subject_hmac',
  'masked_phone',
  'verify_mode',
  'encrypted',
  'answered_by',
  ...COMPLETION_COLUMNS,
] as const;

/** The completion of an answer that cost nothing (cache, shared): nothing charged for this call. */
export function freeAnswerCompletion(
  result: PhoneVerificationResult,
  completedAt: number,
  latencyMs: number,
): LedgerCompletion {
  return {
    completedAt,
    status: result.status,
    resultCode: result.code,
    billed: false,
    mayHaveBilled: false,
    traceId: result.traceId,
    attempts: 0,
    latencyMs,
  };
}

/** The completion of a call refused before it left (a budget): nothing sent. */
export function refusalCompletion(
  errorCode: string,
  completedAt: number,
  latencyMs: number,
): LedgerCompletion {
  return {
    completedAt,
    status: 'error',
    billed: false,
    mayHaveBilled: false,
    errorCode,
    attempts: 0,
    latencyMs,
  };
}
