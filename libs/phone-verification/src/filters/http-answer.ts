import { BudgetExhaustedError } from '../errors/budget.errors.js';
import { ERROR_ANSWERS, type ErrorAnswer } from '../errors/error-answers.js';
import { InvalidInputError } from '../errors/invalid-input.error.js';
import type { PhoneVerificationError } from '../errors/phone-verification.error.js';
import { UpstreamRateLimitedError } from '../errors/upstream-api.errors.js';

/** The error body, in AceData's own error shape. */
export interface PhoneVerificationErrorBody {
  readonly success: false;
  readonly error: {
    /** A public code (`invalid_input`, `upstream_timeout`, …; see the README's table). */
    readonly code: string;
    /** Written by the library; never holds subject data or upstream text. */
    readonly message: string;
    /** With `invalid_input`: the fields that were rejected. */
    readonly fields?: readonly string[];
    /** The failed call may have been charged: do not repeat it blindly. */
    readonly may_have_billed: boolean;
  };
  readonly trace_id: string;
}

/** How to answer one of the library's errors over HTTP. */
export interface PhoneVerificationHttpAnswer {
  readonly status: number;
  /** `Retry-After`, in seconds, when waiting helps (a 429 upstream, a spent budget). */
  readonly retryAfterSeconds?: number;
  readonly body: PhoneVerificationErrorBody;
}

/**
 * The HTTP answer for a library error: 400 for bad input (naming the
 * fields), 429 for a spent budget, 502 for upstream errors, 503 when the
 * upstream is unreachable or rate limiting, 504 on a timeout. What the
 * library's filter sends; an app with its own catch-all filter calls it for
 * `PhoneVerificationError`s. `traceId` is used when the error has none.
 */
export function httpAnswerFor(
  error: PhoneVerificationError,
  traceId: string,
  now: number = Date.now(),
): PhoneVerificationHttpAnswer {
  const answer: ErrorAnswer = ERROR_ANSWERS[error.code];
  const retryAfterMs =
    error instanceof UpstreamRateLimitedError
      ? error.retryAfterMs
      : error instanceof BudgetExhaustedError
        ? error.resetsAt.getTime() - now
        : undefined;
  return {
    status: answer.status,
    ...(retryAfterMs === undefined
      ? {}
      : { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) }),
    body: {
      success: false,
      error: {
        code: answer.code,
        // Bad input's own message names its fields.
        message: answer.message ?? error.message,
        ...(error instanceof InvalidInputError ? { fields: error.fields } : {}),
        may_have_billed: error.mayHaveBilled,
      },
      trace_id: error.traceId ?? traceId,
    },
  };
}
