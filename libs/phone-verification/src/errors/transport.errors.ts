import { PhoneVerificationError } from './phone-verification.error.js';

/**
 * No answer within the timeout after the request was sent. The carrier may
 * have verified (and AceData billed) it anyway, so it is never retried.
 */
export class UpstreamTimeoutError extends PhoneVerificationError {
  readonly code = 'upstream_timeout' as const;
  /** The timeout that expired. */
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(
      `AceData did not answer within ${timeoutMs} ms; the call may have been billed, so it was not retried`,
      { retryable: false, mayHaveBilled: true },
    );
    this.timeoutMs = timeoutMs;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), timeoutMs: this.timeoutMs };
  }
}

/**
 * The connection failed before any answer: refused, reset, or the host could
 * not be resolved. No verification result came back, so nothing was billed.
 */
export class UpstreamConnectionError extends PhoneVerificationError {
  readonly code = 'upstream_connection_failed' as const;
  /** The system error code, e.g. `ECONNREFUSED` (never the request details). */
  readonly systemCode?: string;
  constructor(systemCode: string | undefined) {
    super(`Could not reach AceData${systemCode ? ` (${systemCode})` : ''}`, {
      retryable: true,
      mayHaveBilled: false,
    });
    this.systemCode = systemCode;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), systemCode: this.systemCode };
  }
}

/**
 * AceData (or a gateway before it) answered with something that is not the
 * documented shape: a non-JSON body, an HTML error page, a 200 without
 * `result`. A 200 may have been billed even if we cannot read it.
 */
export class MalformedUpstreamResponseError extends PhoneVerificationError {
  readonly code = 'upstream_malformed_response' as const;
  constructor(httpStatus: number, what: string) {
    super(`AceData answered HTTP ${httpStatus} with ${what}`, {
      httpStatus,
      retryable: httpStatus >= 500,
      mayHaveBilled: httpStatus === 200,
    });
  }
}
