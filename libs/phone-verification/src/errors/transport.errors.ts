import { PhoneVerificationError } from './phone-verification.error.js';

/**
 * The call did not complete (connect to the last byte of the answer) within
 * the timeout. Once the request was written the carrier may have verified
 * (and AceData billed) it anyway, so it is never retried; cut off before the
 * request was written (a slow connect), it was not billed.
 */
export class UpstreamTimeoutError extends PhoneVerificationError {
  readonly code = 'upstream_timeout' as const;
  /** The timeout that expired. */
  readonly timeoutMs: number;
  constructor(timeoutMs: number, mayHaveBilled = true) {
    super(
      mayHaveBilled
        ? `AceData did not answer within ${timeoutMs} ms; the call may have been billed, so it was not retried`
        : `Could not send the call to AceData within ${timeoutMs} ms; nothing was billed`,
      { retryable: false, mayHaveBilled },
    );
    this.timeoutMs = timeoutMs;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), timeoutMs: this.timeoutMs };
  }
}

/**
 * The connection failed before the request was written: refused, the host
 * could not be resolved, TLS failed, or it broke before the body was sent.
 * AceData cannot have received the call, so nothing was billed: retryable.
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
 * The connection broke (a reset, a hang-up) after the request was written and
 * before an answer's status line. AceData may have received and billed the
 * call, so it is never retried.
 */
export class UpstreamConnectionLostError extends PhoneVerificationError {
  readonly code = 'upstream_connection_lost' as const;
  /** The system error code, e.g. `ECONNRESET` (never the request details). */
  readonly systemCode?: string;
  constructor(systemCode: string | undefined) {
    super(
      `The connection to AceData broke after the call was sent${systemCode ? ` (${systemCode})` : ''}; it may have been billed, so it was not retried`,
      { retryable: false, mayHaveBilled: true },
    );
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
  /**
   * @param cutOff the body could not be read to its end (too large, broken
   *   off): whatever the status, the call may have been billed.
   */
  constructor(httpStatus: number, what: string, cutOff = false) {
    super(`AceData answered HTTP ${httpStatus} with ${what}`, {
      httpStatus,
      retryable: !cutOff && httpStatus >= 500,
      mayHaveBilled: cutOff || httpStatus === 200,
    });
  }
}
