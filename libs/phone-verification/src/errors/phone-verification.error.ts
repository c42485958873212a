/** Every error code this library can throw; a typo fails to compile. */
export type PhoneVerificationErrorCode =
  | 'invalid_input'
  | 'token_mismatched'
  | 'api_not_implemented'
  | 'invalid_token'
  | 'too_many_requests'
  | 'api_error'
  | 'upstream_http_error'
  | 'upstream_timeout'
  | 'upstream_connection_failed'
  | 'upstream_connection_lost'
  | 'upstream_malformed_response'
  | 'upstream_unavailable'
  | 'budget_exhausted'
  | 'budget_store_unavailable';

/** What every {@link PhoneVerificationError} is built from. */
export interface PhoneVerificationErrorInit {
  /** The upstream's HTTP status, when it answered at all. */
  httpStatus?: number;
  /** The upstream's `trace_id`, when it sent one. */
  traceId?: string;
  /** Whether the same call may succeed if tried again later. */
  retryable: boolean;
  /** Whether the upstream may have charged for the call that failed. */
  mayHaveBilled: boolean;
}

/**
 * The base of every error the library throws. Messages are written by this
 * library and never contain the subject's name, phone or ID number, nor the
 * API token; the underlying transport error is never attached (no `cause`),
 * because its request config carries the bearer token and the body.
 */
export abstract class PhoneVerificationError extends Error {
  /** A stable, machine-readable code. */
  abstract readonly code: PhoneVerificationErrorCode;
  /** The upstream's HTTP status, when it answered. */
  readonly httpStatus?: number;
  /** The upstream's trace id, to quote to AceData support. */
  readonly traceId?: string;
  /** Whether trying the same call again later may succeed. */
  readonly retryable: boolean;
  /** Whether the failed call may have been billed (e.g. a timeout after sending). */
  readonly mayHaveBilled: boolean;

  protected constructor(message: string, init: PhoneVerificationErrorInit) {
    super(message);
    this.name = new.target.name;
    this.httpStatus = init.httpStatus;
    this.traceId = init.traceId;
    this.retryable = init.retryable;
    this.mayHaveBilled = init.mayHaveBilled;
  }

  /** A plain, log-safe view of the error. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      httpStatus: this.httpStatus,
      traceId: this.traceId,
      retryable: this.retryable,
      mayHaveBilled: this.mayHaveBilled,
    };
  }
}
