import * as fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { InvalidInputError } from '../errors/invalid-input.error.js';
import { idCardCheckCharacter, validateIdCard } from './id-card.js';
import { validateMobile } from './mobile.js';
import { normalizeVerificationRequest } from './normalize-request.js';
import { validatePersonName } from './person-name.js';
import type { ValidationOutcome } from './validation-outcome.js';

const VALIDATORS = [
  ['validateIdCard', (v: unknown) => validateIdCard(v)],
  ['validateMobile', validateMobile],
  ['validatePersonName', validatePersonName],
] as const;

/** Strings near the real thing: digits, X, CJK, dots, control and full-width characters. */
const nearMiss = fc.string({
  unit: fc.constantFrom(
    ...'0123456789Xx+- ·•・\u0000\n\u200b１２３张三阿依古丽'.split(''),
    '𠀀',
  ),
  maxLength: 24,
});

const wellFormed = (outcome: ValidationOutcome): boolean =>
  outcome.valid ? typeof outcome.value === 'string' : outcome.reason.length > 0;

describe('validators under arbitrary input (fast-check)', () => {
  it.each(VALIDATORS)(
    '%s never throws and returns a well-formed outcome',
    (_name, validate) => {
      const property = fc.property(
        fc.oneof(fc.anything(), nearMiss, fc.string({ maxLength: 200 })),
        (input) => wellFormed(validate(input)),
      );
      expect(() => fc.assert(property, { numRuns: 3000 })).not.toThrow();
    },
  );

  it.each(VALIDATORS)(
    '%s is idempotent: a normalised value validates to itself',
    (_name, validate) => {
      const property = fc.property(
        fc.oneof(nearMiss, fc.string({ maxLength: 60 })),
        (input) => {
          const outcome = validate(input);
          return (
            !outcome.valid ||
            isDeepStrictEqual(validate(outcome.value), outcome)
          );
        },
      );
      expect(() => fc.assert(property, { numRuns: 3000 })).not.toThrow();
    },
  );

  it('accepts an 18-character number only with its own check character', () => {
    const digits17 = fc.string({
      unit: fc.constantFrom(...'0123456789'.split('')),
      minLength: 17,
      maxLength: 17,
    });
    const property = fc.property(
      digits17,
      fc.constantFrom(...'0123456789X'.split('')),
      (body, check) => {
        const outcome = validateIdCard(body + check);
        return !outcome.valid || idCardCheckCharacter(body) === check;
      },
    );
    expect(() => fc.assert(property, { numRuns: 5000 })).not.toThrow();
  });

  it('normalizeVerificationRequest throws nothing but InvalidInputError', () => {
    const property = fc.property(fc.anything(), (input) => {
      try {
        normalizeVerificationRequest(input as never, 'short');
        return true;
      } catch (error) {
        return error instanceof InvalidInputError;
      }
    });
    expect(() => fc.assert(property, { numRuns: 3000 })).not.toThrow();
  });
});
