import type { ValidationOutcome } from './validation-outcome.js';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Checks a field the caller encrypted: ciphertext cannot be validated, only
 * its shape (non-empty base64, at most 1024 characters).
 */
export function validateCiphertext(value: unknown): ValidationOutcome {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > 1024 ||
    !BASE64.test(value)
  ) {
    return {
      valid: false,
      reason: 'is listed as encrypted but is not base64 ciphertext',
    };
  }
  return { valid: true, value };
}
