import type { PhoneVerificationResult } from '../dto/phone-verification-result.js';
import { PhoneVerificationError } from '../errors/phone-verification.error.js';

/**
 * What one billed-maybe call's end means for money. The one rule: the
 * budget keeps its unit, the ledger records and the waiters on other
 * replicas are told exactly what {@link settleResult} or
 * {@link settleError} decide, and nothing else decides it.
 */
export interface Settlement {
  /** AceData certainly charged: a billed code. */
  readonly billed: boolean;
  /** AceData may have charged: a code whose billing is unsettled (`-4` by default), or a failure after the request was written. */
  readonly mayHaveBilled: boolean;
}

/** Whether the budget keeps the unit it reserved: charged, or maybe. */
export function keepsBudgetUnit(settlement: Settlement): boolean {
  return settlement.billed || settlement.mayHaveBilled;
}

/** How far a call got: whether a request was written and no readable answer came back for it. */
export interface RequestProgress {
  /** Requests made, retries included. */
  attempts: number;
  /** A request is out (or was, and ended in an error that is not the library's own). */
  unanswered?: boolean;
}

/** Errors that are not the library's own, with what their call's progress said of them. */
const foreign = new WeakMap<object, boolean>();

/** A result's settlement: whether this call was charged (`true`, `false` or `'maybe'`). */
export function settleResult(result: PhoneVerificationResult): Settlement {
  return {
    billed: result.charged === true,
    mayHaveBilled: result.charged === 'maybe',
  };
}

/**
 * An error's settlement: the library's own errors say whether they may have
 * billed; any other (a hook that threw, a bug) may have when a request was
 * out when it was thrown. Remembered, so {@link mayHaveBilled} gives every
 * reader of the same error the same answer.
 */
export function settleError(
  error: unknown,
  progress: RequestProgress,
): Settlement {
  const maybe =
    error instanceof PhoneVerificationError
      ? error.mayHaveBilled
      : progress.unanswered === true;
  if (!(error instanceof PhoneVerificationError)) {
    if (typeof error === 'object' && error !== null) foreign.set(error, maybe);
  }
  return { billed: false, mayHaveBilled: maybe };
}

/**
 * Whether a call that ended in this error may have been billed, as
 * {@link settleError} decided it; an error it never saw may have (the safe
 * side: nobody repeats it blindly).
 */
export function mayHaveBilled(error: unknown): boolean {
  if (error instanceof PhoneVerificationError) return error.mayHaveBilled;
  if (typeof error === 'object' && error !== null && foreign.has(error)) {
    return foreign.get(error)!;
  }
  return true;
}
