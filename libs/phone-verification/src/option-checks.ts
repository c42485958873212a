import { InvalidPhoneVerificationOptionsError } from './errors/boot.errors.js';

/** `value` when it is a whole number from `min` to `max`; else a boot error naming `option`. */
export function wholeNumberOption(
  option: string,
  value: number,
  min: number,
  max: number,
): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidPhoneVerificationOptionsError(
      option,
      `must be a whole number from ${min} to ${max}`,
    );
  }
  return value;
}
