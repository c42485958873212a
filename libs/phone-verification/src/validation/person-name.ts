import {
  accepted,
  rejected,
  type ValidationOutcome,
} from './validation-outcome.js';

/** The longest name the upstream accepts, in characters (code points). */
export const MAX_NAME_LENGTH = 50;

/** The longest input looked at (UTF-16 units, before normalising): 8 × the name's cap. */
const MAX_NAME_INPUT_LENGTH = 8 * MAX_NAME_LENGTH;

/** U+00B7, the separator used in the registered names of many minorities. */
export const MIDDLE_DOT = '\u00B7';

/**
 * Characters people type for the middle dot: bullet, katakana middle dot
 * (full and half width), hyphenation point, bullet operator, dot operator,
 * Greek ano teleia and the word-separator middle dot.
 */
const MIDDLE_DOT_LOOKALIKES =
  /[\u2022\u30FB\uFF65\u2027\u2219\u22C5\u0387\u2E31]/gu;

/**
 * Letters (any script, any plane), combining marks, and name punctuation:
 * the middle dot, space, apostrophe, hyphen, period, and the Tibetan tsheg
 * (U+0F0B), which separates syllables in Tibetan names.
 */
const NAME_CHARACTERS = /^[\p{L}\p{M}\u00B7\u0F0B '\-.]+$/u;

/**
 * Validates and normalises a person's name as registered: trimmed, NFC
 * normalised, inner white space collapsed, middle-dot look-alikes mapped to
 * U+00B7. Accepts every script's letters, including CJK Extension A and the
 * supplementary planes; rejects digits, control and format characters, and
 * names over {@link MAX_NAME_LENGTH} characters.
 */
export function validatePersonName(input: unknown): ValidationOutcome {
  if (typeof input !== 'string') {
    return rejected('must be a string');
  }
  // Before any scan or normalisation: a huge field must cost nothing. Even
  // with spaces and combining marks, a 50-character name is far shorter.
  if (input.length > MAX_NAME_INPUT_LENGTH) {
    return rejected(`must be at most ${MAX_NAME_LENGTH} characters`);
  }
  if (/[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/u.test(input.trim())) {
    return rejected('must not contain control or invisible characters');
  }
  const value = input
    .normalize('NFC')
    .trim()
    .replace(/\s+/gu, ' ')
    .replace(MIDDLE_DOT_LOOKALIKES, MIDDLE_DOT)
    .replace(/\s*\u00B7\s*/gu, MIDDLE_DOT);
  if (value.length === 0) {
    return rejected('must not be empty');
  }
  if ([...value].length > MAX_NAME_LENGTH) {
    return rejected(`must be at most ${MAX_NAME_LENGTH} characters`);
  }
  if (/\p{N}/u.test(value)) {
    return rejected('must not contain digits');
  }
  if (!NAME_CHARACTERS.test(value)) {
    return rejected(
      'must contain only letters, spaces, and the middle dot (·)',
    );
  }
  if (!/\p{L}/u.test(value)) {
    return rejected('must contain at least one letter');
  }
  if (
    value.startsWith(MIDDLE_DOT) ||
    value.endsWith(MIDDLE_DOT) ||
    value.includes(MIDDLE_DOT + MIDDLE_DOT)
  ) {
    return rejected('must not begin or end with a middle dot, or repeat it');
  }
  return accepted(value);
}
