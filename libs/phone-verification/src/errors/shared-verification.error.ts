import {
  PhoneVerificationError,
  type PhoneVerificationErrorCode,
} from './phone-verification.error.js';

/** A library error as the leader of a shared call stores it in Redis. */
export interface StoredVerificationError {
  readonly code: PhoneVerificationErrorCode;
  readonly message: string;
  readonly httpStatus?: number;
  readonly traceId?: string;
  readonly retryable: boolean;
  readonly mayHaveBilled: boolean;
}

/**
 * The error another instance's call ended with, passed on to the instances
 * that waited for it: same code, status, trace id and flags.
 */
export class SharedVerificationError extends PhoneVerificationError {
  readonly code: PhoneVerificationErrorCode;
  constructor(error: StoredVerificationError) {
    super(error.message, error);
    this.code = error.code;
  }
}
