import { PhoneVerificationError } from '@app/phone-verification';

/** Awaits a promise that must reject with a library error, and returns the error. */
export async function rejectionOf(
  promise: Promise<unknown>,
): Promise<PhoneVerificationError> {
  const error: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PhoneVerificationError);
  return error as PhoneVerificationError;
}
