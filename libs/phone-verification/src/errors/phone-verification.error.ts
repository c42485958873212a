import {
  ERROR_ANSWERS,
  type PhoneVerificationErrorCode,
} from './error-answers.js';

export type { PhoneVerificationErrorCode } from './error-answers.js';

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

  /**
   * The HTTP status to answer with (as `httpAnswerFor` does), with `status`
   * and `expose` in the http-errors convention that Nest's default exception
   * filter reads: an app that forgot `PhoneVerificationExceptionFilter`
   * answers 400, 429, 502, 503 or 504 rather than 500. Not the upstream's
   * status, which is `httpStatus`.
   */
  get statusCode(): number {
    return ERROR_ANSWERS[this.code].status;
  }

  /** The same as {@link statusCode}. */
  get status(): number {
    return this.statusCode;
  }

  /** Whether the message may be shown to a client: for 4xx answers only. */
  get expose(): boolean {
    return this.statusCode < 500;
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
