import {
  accepted,
  rejected,
  toHalfWidth,
  type ValidationOutcome,
} from './validation-outcome.js';

/** A normalised mainland-China mobile number: 11 digits, `13` to `19`. */
export const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;
const SEPARATORS = /[\s-]/g;

/**
 * Validates and normalises a mainland-China mobile number: spaces and hyphens
 * are removed, full-width digits mapped to ASCII, and a leading `+86`, `0086`
 * or `86` country code dropped; what remains must be 11 digits starting `13`
 * to `19`. The prefix does not name the carrier (numbers are portable).
 */
export function validateMobile(input: unknown): ValidationOutcome {
  if (typeof input !== 'string') {
    return rejected('must be a string');
  }
  let value = toHalfWidth(input).replace(SEPARATORS, '');
  if (value.length === 0) {
    return rejected('must not be empty');
  }
  if (value.startsWith('+86')) {
    value = value.slice(3);
  } else if (value.startsWith('0086')) {
    value = value.slice(4);
  } else if (value.startsWith('86') && value.length === 13) {
    value = value.slice(2);
  }
  if (!/^\d+$/.test(value)) {
    return rejected(
      'must contain only digits (after removing spaces, hyphens and +86)',
    );
  }
  if (value.length !== 11) {
    return rejected('must be an 11-digit mainland China mobile number');
  }
  if (!MAINLAND_MOBILE.test(value)) {
    return rejected(
      'must start with 13 to 19 (a mainland China mobile number)',
    );
  }
  return accepted(value);
}
