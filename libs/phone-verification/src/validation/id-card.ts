import { chinaDate } from '../china-time.js';
import {
  accepted,
  rejected,
  toHalfWidth,
  type ValidationOutcome,
} from './validation-outcome.js';

/** ISO 7064 MOD 11-2 weights for the first 17 digits (GB 11643-1999). */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
/** Check character for each value of the weighted sum mod 11. */
const CHECK_CHARACTERS = '10X98765432';
/** The oldest birth year we accept; earlier dates are data-entry errors. */
const MIN_BIRTH_YEAR = 1900;

/**
 * Computes the GB 11643-1999 check character for the first 17 digits of a
 * resident ID number.
 */
export function idCardCheckCharacter(first17Digits: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += Number(first17Digits.charCodeAt(i) - 48) * WEIGHTS[i];
  }
  return CHECK_CHARACTERS[sum % 11];
}

function isRealBirthDate(yyyymmdd: string, now: Date): string | undefined {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  if (year < MIN_BIRTH_YEAR) {
    return `birth year must be ${MIN_BIRTH_YEAR} or later`;
  }
  const date = new Date(Date.UTC(year, month - 1, day));
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day
  ) {
    return 'contains a birth date (digits 7-14) that does not exist';
  }
  // Compare calendar dates in China time, where the ID was issued.
  if (date.getTime() > chinaDate(now.getTime())) {
    return 'contains a birth date (digits 7-14) in the future';
  }
  return undefined;
}

/**
 * Validates and normalises a mainland-China resident ID number (GB 11643-1999):
 * 17 digits and a check character, a real birth date not in the future, and
 * the ISO 7064 MOD 11-2 check character. Surrounding spaces are dropped,
 * full-width characters mapped to ASCII and a lowercase `x` upper-cased.
 *
 * @param now the clock used for "not in the future"; injectable for tests.
 */
export function validateIdCard(
  input: unknown,
  now: Date = new Date(),
): ValidationOutcome {
  if (typeof input !== 'string') {
    return rejected('must be a string');
  }
  const value = toHalfWidth(input).trim().toUpperCase();
  if (value.length === 0) {
    return rejected('must not be empty');
  }
  if (/^\d{15}$/.test(value)) {
    return rejected(
      'must be 18 characters: 15-digit first-generation numbers are not accepted, use the 18-character number',
    );
  }
  if (value.length !== 18) {
    return rejected('must be 18 characters (17 digits and a check character)');
  }
  if (!/^\d{17}[\dX]$/.test(value)) {
    return rejected('must be 17 digits followed by a digit or X');
  }
  const dateProblem = isRealBirthDate(value.slice(6, 14), now);
  if (dateProblem) {
    return rejected(dateProblem);
  }
  if (idCardCheckCharacter(value) !== value[17]) {
    return rejected('has a check character (the 18th) that does not match');
  }
  return accepted(value);
}
