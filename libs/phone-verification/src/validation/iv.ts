import { rejected, type ValidationOutcome } from './validation-outcome.js';

/**
 * The IV's length in characters. AceData's published docs disagree on the
 * IV's form (16 raw characters, or base64); this library decides, here
 * only: 16 printable ASCII characters, whose 16 bytes are the CBC IV.
 */
export const IV_LENGTH = 16;

const IV = /^[\x21-\x7e]{16}$/;

/** Checks an encryption IV: exactly 16 printable ASCII characters. */
export function validateIv(value: unknown): ValidationOutcome {
  if (typeof value !== 'string' || !IV.test(value)) {
    return rejected(`must be ${IV_LENGTH} printable ASCII characters`);
  }
  return { valid: true, value };
}
