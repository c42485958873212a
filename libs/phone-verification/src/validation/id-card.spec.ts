import { idCardCheckCharacter, validateIdCard } from './id-card.js';

// Evening of 2026-11-23 in China (UTC+8): 12:00 UTC is 20:00 in Beijing.
const NOW = new Date('2026-11-23T12:00:00Z');

function reasonOf(input: unknown, now = NOW): string {
  const outcome = validateIdCard(input, now);
  if (outcome.valid) throw new Error('expected a rejection');
  return outcome.reason;
}

describe('validateIdCard', () => {
  // Check characters computed independently (ISO 7064 MOD 11-2 by hand/script).
  it.each([
    ['the contract example', '11010519491231002X', '11010519491231002X'],
    ['lowercase x upper-cased', '11010519491231002x', '11010519491231002X'],
    ['a digit check character', '440304199001011233', '440304199001011233'],
    [
      'Feb 29 in a leap year (1980)',
      '310115198002294014',
      '310115198002294014',
    ],
    [
      'Feb 29 in a leap century year (2000)',
      '510107200002290010',
      '510107200002290010',
    ],
    ['Feb 29 in 2024', '110105202402290038', '110105202402290038'],
    ['the oldest accepted year', '110101190001010014', '110101190001010014'],
    ['Dec 31', '330106199912318881', '330106199912318881'],
    ['another region', '650102198506152913', '650102198506152913'],
    ['a child', '440304201007014566', '440304201007014566'],
    ['Jan 1 1970', '120101197001010317', '120101197001010317'],
    ['earlier this year', '110105202601010019', '110105202601010019'],
    ['born today (China date)', '110105202611230015', '110105202611230015'],
    ['surrounding spaces', '  440304199001011233 ', '440304199001011233'],
    [
      'full-width digits',
      '４４０３０４１９９００１０１１２３３',
      '440304199001011233',
    ],
    [
      'full-width X',
      '１１０１０５１９４９１２３１００２Ｘ',
      '11010519491231002X',
    ],
  ])('accepts %s', (_label, input, expected) => {
    expect(validateIdCard(input, NOW)).toEqual({
      valid: true,
      value: expected,
    });
  });

  it.each([
    [
      'Feb 29 in a non-leap century year (1900)',
      '110105190002290017',
      /does not exist/,
    ],
    ['Feb 29 in 2023', '110105202302290014', /does not exist/],
    ['Feb 29 in 2019', '110105201902290013', /does not exist/],
    ['month 13', '110105199013010018', /does not exist/],
    ['day 32', '110105199001320019', /does not exist/],
    ['day 00', '110105199001000015', /does not exist/],
    ['month 00', '110105199000010019', /does not exist/],
    ['April 31', '110105199004310019', /does not exist/],
    ['a birth date next year', '110105202711230012', /future/],
    ['a birth date tomorrow (China date)', '110105202611240010', /future/],
    ['a birth year before 1900', '110105189912310015', /1900/],
    ['a birth year of 2100', '110105210001010015', /future/],
    ['a wrong check digit', '440304199001011234', /check character/],
    ['a wrong check X', '44030419900101123X', /check character/],
    [
      'an X where a digit belongs',
      '11010519491231002X'.replace('2X', 'X2'),
      /17 digits/,
    ],
    ['two transposed digits', '11010519491231020X', /check character/],
    [
      'a check character Y',
      '11010519491231002Y',
      /17 digits followed by a digit or X/,
    ],
    ['a letter inside', '1101051949A231002X', /17 digits/],
    ['17 characters', '11010519491231002', /18 characters/],
    ['19 characters', '11010519491231002X1', /18 characters/],
    [
      'a 15-digit first-generation number',
      '110105491231002',
      /18 characters.*15-digit/,
    ],
    ['an inner space', '110105 19491231002X', /18 characters|17 digits/],
    ['hyphens', '110105-19491231-002X', /18 characters/],
    ['an empty string', '', /must not be empty/],
    ['only spaces', '   ', /must not be empty/],
    ['a number', 11010519491231002, /must be a string/],
    ['null', null, /must be a string/],
    ['undefined', undefined, /must be a string/],
    ['an object', { id: '11010519491231002X' }, /must be a string/],
    ['an array', ['11010519491231002X'], /must be a string/],
  ])('rejects %s', (_label, input, reason) => {
    expect(reasonOf(input)).toMatch(reason);
  });

  it('treats "today" as the China calendar date, which is UTC+8', () => {
    // 16:30 UTC on Nov 23 is 00:30 on Nov 24 in Beijing.
    const chinaMidnightPassed = new Date('2026-11-23T16:30:00Z');
    expect(
      validateIdCard('110105202611240010', chinaMidnightPassed).valid,
    ).toBe(true);
    expect(validateIdCard('110105202611240010', NOW).valid).toBe(false);
  });

  it('never quotes the input in a reason', () => {
    const inputs = [
      '110105202711230012',
      '440304199001011234',
      '110105491231002',
      '1101051949A231002X',
    ];
    for (const input of inputs) {
      expect(reasonOf(input)).not.toContain(input);
      expect(reasonOf(input)).not.toMatch(/\d{6,}/);
    }
  });

  it('computes the check character per ISO 7064 MOD 11-2', () => {
    expect(idCardCheckCharacter('11010519491231002')).toBe('X');
    expect(idCardCheckCharacter('44030419900101123')).toBe('3');
    expect(idCardCheckCharacter('51010720000229001')).toBe('0');
    expect(idCardCheckCharacter('11010120000101001')).not.toBe(
      idCardCheckCharacter('11010120000101002'),
    );
  });
});
