import { PhoneVerificationError } from '../errors/phone-verification.error.js';

/** A class of error, abstract ones included. */
type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/**
 * Awaits a promise that must reject with an error of `type` (by default any
 * of the library's errors) and returns that error, typed, so a test can
 * assert on its `code`, `mayHaveBilled` or message. Throws when the promise
 * resolves, or rejects with anything else.
 */
export async function rejectionOf<E extends Error = PhoneVerificationError>(
  promise: Promise<unknown>,
  type: ErrorClass<E> = PhoneVerificationError as unknown as ErrorClass<E>,
): Promise<E> {
  const outcome = await promise.then(
    () => ({ resolved: true as const }),
    (error: unknown) => ({ resolved: false as const, error }),
  );
  if (outcome.resolved) {
    throw new Error('expected a rejection, but the promise resolved');
  }
  if (!(outcome.error instanceof type)) {
    const got =
      outcome.error instanceof Error
        ? `${outcome.error.name}: ${outcome.error.message}`
        : typeof outcome.error;
    throw new Error(`expected a ${type.name}, got ${got}`);
  }
  return outcome.error;
}
