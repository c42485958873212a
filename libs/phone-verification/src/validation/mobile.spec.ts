import { validateMobile } from './mobile.js';

function reasonOf(input: unknown): string {
  const outcome = validateMobile(input);
  if (outcome.valid) throw new Error('expected a rejection');
  return outcome.reason;
}

describe('validateMobile', () => {
  it.each([
    ['a 13x number', '13812345678', '13812345678'],
    ['a 14x number', '14712345678', '14712345678'],
    ['a 15x number', '15012345678', '15012345678'],
    ['a 16x number', '16612345678', '16612345678'],
    ['a 17x number', '17712345678', '17712345678'],
    ['an 18x number', '18612345678', '18612345678'],
    ['a 19x number (incl. China Broadnet 192)', '19212345678', '19212345678'],
    ['spaces', '138 1234 5678', '13812345678'],
    ['hyphens', '138-1234-5678', '13812345678'],
    ['+86', '+8613812345678', '13812345678'],
    ['+86 with a space', '+86 138 1234 5678', '13812345678'],
    ['+86 with hyphens', '+86-138-1234-5678', '13812345678'],
    ['0086', '008613812345678', '13812345678'],
    ['86 before 11 digits', '8613812345678', '13812345678'],
    ['surrounding white space', '\t13812345678 ', '13812345678'],
    ['full-width digits', '１３８１２３４５６７８', '13812345678'],
    ['a full-width plus', '＋８６１３８１２３４５６７８', '13812345678'],
  ])('accepts %s', (_label, input, expected) => {
    expect(validateMobile(input)).toEqual({ valid: true, value: expected });
  });

  it.each([
    ['10 digits', '1381234567', /11-digit/],
    ['12 digits', '138123456789', /11-digit/],
    ['a 12x prefix', '12812345678', /13 to 19/],
    ['a 11x prefix', '11812345678', /13 to 19/],
    ['a 10x prefix', '10812345678', /13 to 19/],
    ['a leading 2', '23812345678', /13 to 19/],
    ['a landline with area code', '01012345678', /13 to 19/],
    ['letters', '1381234567a', /only digits/],
    ['a dot separator', '138.1234.5678', /only digits/],
    ['parentheses', '(138)12345678', /only digits/],
    ['+1 country code', '+14155552671', /only digits/],
    ['+86 with 10 digits', '+861381234567', /11-digit/],
    ['86 with 12 digits (ambiguous)', '86138123456789', /11-digit/],
    ['empty', '', /must not be empty/],
    ['only spaces and hyphens', ' - - ', /must not be empty/],
    ['a number', 13812345678, /must be a string/],
    ['null', null, /must be a string/],
    ['undefined', undefined, /must be a string/],
    ['an array', ['13812345678'], /must be a string/],
  ])('rejects %s', (_label, input, reason) => {
    expect(reasonOf(input)).toMatch(reason);
  });

  it('never quotes the input in a reason', () => {
    for (const input of ['1381234567', '12812345678', '1381234567a']) {
      expect(reasonOf(input)).not.toContain(input);
    }
  });
});
