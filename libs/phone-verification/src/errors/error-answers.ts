import { HttpStatus } from '@nestjs/common';

/** How one kind of error is answered over HTTP. */
export interface ErrorAnswer {
  /** The status: not the upstream's (that is the error's `httpStatus`). */
  readonly status: HttpStatus;
  /** The public code in the body's `error.code`. */
  readonly code: string;
  /** The message in the body; `undefined`: the error's own (bad input names its fields). */
  readonly message?: string;
}

const UPSTREAM_REJECTED_CREDENTIALS = {
  status: HttpStatus.BAD_GATEWAY,
  code: 'upstream_auth_failed',
  message: 'The verification provider rejected this service’s credentials',
} as const;

/**
 * The one table from each error code the library throws to its HTTP
 * answer: 400 for bad input, 429 for a spent budget, 502 for what the
 * upstream answered wrongly, 503 when it cannot be reached, rate limits us
 * or the circuit is open, 504 on a timeout. The errors' `statusCode`, the
 * filter's `httpAnswerFor` and the README's error table all read it.
 */
export const ERROR_ANSWERS = {
  invalid_input: { status: HttpStatus.BAD_REQUEST, code: 'invalid_input' },
  token_mismatched: UPSTREAM_REJECTED_CREDENTIALS,
  api_not_implemented: UPSTREAM_REJECTED_CREDENTIALS,
  invalid_token: UPSTREAM_REJECTED_CREDENTIALS,
  too_many_requests: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    code: 'upstream_rate_limited',
    message: 'The verification provider is rate limiting us; try again later',
  },
  api_error: {
    status: HttpStatus.BAD_GATEWAY,
    code: 'upstream_error',
    message: 'The verification provider failed to answer',
  },
  upstream_http_error: {
    status: HttpStatus.BAD_GATEWAY,
    code: 'upstream_error',
    message: 'The verification provider answered with an unexpected error',
  },
  upstream_malformed_response: {
    status: HttpStatus.BAD_GATEWAY,
    code: 'upstream_bad_response',
    message: 'The verification provider answered with an unreadable response',
  },
  upstream_connection_failed: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    code: 'upstream_unavailable',
    message: 'The verification provider cannot be reached; try again later',
  },
  upstream_connection_lost: {
    status: HttpStatus.BAD_GATEWAY,
    code: 'upstream_connection_lost',
    message:
      'The connection to the verification provider broke after the check was sent; it may have been billed, so do not repeat it blindly',
  },
  upstream_timeout: {
    status: HttpStatus.GATEWAY_TIMEOUT,
    code: 'upstream_timeout',
    message:
      'The verification provider did not answer in time; the check may have been billed, so do not repeat it blindly',
  },
  upstream_unavailable: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    code: 'upstream_unavailable',
    message:
      'The verification provider is failing; calls are paused, try again later',
  },
  budget_exhausted: {
    status: HttpStatus.TOO_MANY_REQUESTS,
    code: 'budget_exhausted',
    message:
      'The daily verification budget is spent; it resets at midnight China time (see Retry-After)',
  },
  budget_store_unavailable: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    code: 'budget_store_unavailable',
    message:
      'The spend budget cannot be checked right now, so no billed call was made; try again later',
  },
  used_up: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    code: 'upstream_balance_used_up',
    message:
      'The verification provider’s account balance is spent; verifications fail until it is topped up',
  },
  disabled: UPSTREAM_REJECTED_CREDENTIALS,
  no_api: {
    status: HttpStatus.BAD_GATEWAY,
    code: 'upstream_error',
    message: 'The verification provider does not know this API',
  },
  gateway_timeout: {
    status: HttpStatus.GATEWAY_TIMEOUT,
    code: 'upstream_timeout',
    message:
      'The verification provider did not answer in time; the check may have been billed, so do not repeat it blindly',
  },
  ledger_unavailable: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    code: 'ledger_unavailable',
    message:
      'The usage ledger cannot record the call right now, so no billed call was made; try again later',
  },
} as const satisfies Record<string, ErrorAnswer>;

/** Every error code this library can throw; a typo fails to compile. */
export type PhoneVerificationErrorCode = keyof typeof ERROR_ANSWERS;
