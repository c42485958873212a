import { ERROR_CLASSES } from '../dual-package.js';
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
 *
 * `instanceof` holds across the package's two builds (ESM and CommonJS): an
 * error thrown by one is an instance of the same class imported from the
 * other (see `dual-package.ts`).
 */
export abstract class PhoneVerificationError extends Error {
  /**
   * An instance of this class, or an error of the library's other build whose
   * classes include one of this name.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    const classes =
      typeof value === 'object' && value !== null
        ? (value as { [ERROR_CLASSES]?: unknown })[ERROR_CLASSES]
        : undefined;
    return Array.isArray(classes) && classes.includes(this.name);
  }

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
    Object.defineProperty(this, ERROR_CLASSES, {
      value: classNamesOf(new.target),
      enumerable: false,
    });
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

/** The names of `type` and its ancestors, down to `PhoneVerificationError`. */
function classNamesOf(type: object): string[] {
  const names: string[] = [];
  for (
    let current: unknown = type;
    typeof current === 'function' && current !== Error;
    current = Object.getPrototypeOf(current)
  ) {
    names.push((current as { name: string }).name);
  }
  return names;
}
