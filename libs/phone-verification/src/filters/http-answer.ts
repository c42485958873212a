import { BudgetExhaustedError } from '../errors/budget.errors.js';
import { HTTP_STATUS_OF } from '../errors/http-status.js';
import { InvalidInputError } from '../errors/invalid-input.error.js';
import type {
  PhoneVerificationError,
  PhoneVerificationErrorCode,
} from '../errors/phone-verification.error.js';
import { UpstreamRateLimitedError } from '../errors/upstream-api.errors.js';

/** The public code and message one kind of error is answered with. */
interface Answer {
  readonly code: string;
  readonly message: string;
}

const UPSTREAM_REJECTED_CREDENTIALS: Answer = {
  code: 'upstream_auth_failed',
  message: 'The verification provider rejected this service’s credentials',
};

const ANSWERS: Readonly<
  Record<Exclude<PhoneVerificationErrorCode, 'invalid_input'>, Answer>
> = {
  token_mismatched: UPSTREAM_REJECTED_CREDENTIALS,
  api_not_implemented: UPSTREAM_REJECTED_CREDENTIALS,
  invalid_token: UPSTREAM_REJECTED_CREDENTIALS,
  too_many_requests: {
    code: 'upstream_rate_limited',
    message: 'The verification provider is rate limiting us; try again later',
  },
  api_error: {
    code: 'upstream_error',
    message: 'The verification provider failed to answer',
  },
  upstream_http_error: {
    code: 'upstream_error',
    message: 'The verification provider answered with an unexpected error',
  },
  upstream_malformed_response: {
    code: 'upstream_bad_response',
    message: 'The verification provider answered with an unreadable response',
  },
  upstream_connection_failed: {
    code: 'upstream_unavailable',
    message: 'The verification provider cannot be reached; try again later',
  },
  upstream_connection_lost: {
    code: 'upstream_connection_lost',
    message:
      'The connection to the verification provider broke after the check was sent; it may have been billed, so do not repeat it blindly',
  },
  upstream_unavailable: {
    code: 'upstream_unavailable',
    message:
      'The verification provider is failing; calls are paused, try again later',
  },
  budget_exhausted: {
    code: 'budget_exhausted',
    message:
      'The daily verification budget is spent; it resets at midnight China time (see Retry-After)',
  },
  budget_store_unavailable: {
    code: 'budget_store_unavailable',
    message:
      'The spend budget cannot be checked right now, so no billed call was made; try again later',
  },
  upstream_timeout: {
    code: 'upstream_timeout',
    message:
      'The verification provider did not answer in time; the check may have been billed, so do not repeat it blindly',
  },
};

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
  const answer: Answer =
    error instanceof InvalidInputError
      ? { code: error.code, message: error.message }
      : ANSWERS[error.code as keyof typeof ANSWERS];
  const retryAfterMs =
    error instanceof UpstreamRateLimitedError
      ? error.retryAfterMs
      : error instanceof BudgetExhaustedError
        ? error.resetsAt.getTime() - now
        : undefined;
  return {
    status: HTTP_STATUS_OF[error.code],
    ...(retryAfterMs === undefined
      ? {}
      : { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) }),
    body: {
      success: false,
      error: {
        code: answer.code,
        message: answer.message,
        ...(error instanceof InvalidInputError ? { fields: error.fields } : {}),
        may_have_billed: error.mayHaveBilled,
      },
      trace_id: error.traceId ?? traceId,
    },
  };
}
