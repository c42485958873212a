import { MAX_NAME_LENGTH, validatePersonName } from './person-name.js';

function reasonOf(input: unknown): string {
  const outcome = validatePersonName(input);
  if (outcome.valid) throw new Error('expected a rejection');
  return outcome.reason;
}

describe('validatePersonName', () => {
  it.each([
    ['a two-character name', '张三', '张三'],
    ['a three-character name', '王小明', '王小明'],
    ['a compound surname', '欧阳娜娜', '欧阳娜娜'],
    ['a single character', '李', '李'],
    ['surrounding spaces', '  张三  ', '张三'],
    ['a minority name with U+00B7', '阿依古丽·买买提', '阿依古丽·买买提'],
    ['a bullet for the middle dot', '阿依古丽•买买提', '阿依古丽·买买提'],
    ['a katakana middle dot', '阿依古丽・买买提', '阿依古丽·买买提'],
    ['a half-width katakana middle dot', '阿依古丽･买买提', '阿依古丽·买买提'],
    ['a hyphenation point', '阿依古丽‧买买提', '阿依古丽·买买提'],
    ['a dot operator', '阿依古丽⋅买买提', '阿依古丽·买买提'],
    ['spaces around the dot', '阿依古丽 · 买买提', '阿依古丽·买买提'],
    ['several dots', '爱新觉罗·溥仪·某', '爱新觉罗·溥仪·某'],
    ['a CJK Extension A character', '王㐀', '王㐀'],
    ['a CJK Extension B character (supplementary plane)', '𠀀明', '𠀀明'],
    ['the rare surname 𬌗 (Extension E)', '𬌗华', '𬌗华'],
    ['Latin letters', 'John Smith', 'John Smith'],
    ['an apostrophe and hyphen', "Mary-Jane O'Neil", "Mary-Jane O'Neil"],
    ['inner runs of space collapsed', 'John   Smith', 'John Smith'],
    ['a decomposed accent normalised to NFC', 'Jose\u0301', 'José'],
    ['Tibetan script', 'བཀྲ་ཤིས', 'བཀྲ་ཤིས'],
    [
      'exactly the maximum length',
      '张'.repeat(MAX_NAME_LENGTH),
      '张'.repeat(MAX_NAME_LENGTH),
    ],
    ['50 supplementary-plane characters', '𠀀'.repeat(50), '𠀀'.repeat(50)],
  ])('accepts %s', (_label, input, expected) => {
    expect(validatePersonName(input)).toEqual({ valid: true, value: expected });
  });

  it.each([
    ['an empty string', '', /must not be empty/],
    ['only spaces', '   ', /must not be empty/],
    ['one character too many', '张'.repeat(MAX_NAME_LENGTH + 1), /at most 50/],
    ['ASCII digits', '张3', /digits/],
    ['full-width digits', '张３', /digits/],
    ['Chinese numerals as digits (Nd only)', '张٣', /digits/],
    ['a newline inside', '张\n三', /control/],
    ['a tab inside', '张\t三', /control/],
    ['a NUL character', '张\u0000三', /control/],
    ['a zero-width space', '张\u200B三', /control|invisible/],
    ['a right-to-left override', '张\u202E三', /control|invisible/],
    ['an emoji', '张😀', /only letters/],
    ['an at sign', 'zhang@example', /only letters/],
    ['angle brackets', '<script>', /only letters/],
    ['a semicolon', '张;三', /only letters/],
    ['a leading middle dot', '·买买提', /middle dot/],
    ['a trailing middle dot', '阿依古丽·', /middle dot/],
    ['a doubled middle dot', '阿依古丽··买买提', /middle dot/],
    ['only punctuation', "-'-", /at least one letter/],
    ['a number', 123, /must be a string/],
    ['null', null, /must be a string/],
    ['undefined', undefined, /must be a string/],
    ['an object', { name: '张三' }, /must be a string/],
  ])('rejects %s', (_label, input, reason) => {
    expect(reasonOf(input)).toMatch(reason);
  });

  it('checks the length before anything else: a huge field is refused for its length, unscanned', () => {
    // A control character far into a huge field is not even looked for.
    const huge = `${'名'.repeat(5_000_000)}\u0000`;
    expect(validatePersonName(huge)).toEqual({
      valid: false,
      reason: `must be at most ${MAX_NAME_LENGTH} characters`,
    });
  });

  it('never quotes the input in a reason', () => {
    for (const input of ['张3', '张😀', '阿依古丽··买买提']) {
      expect(reasonOf(input)).not.toContain(input);
    }
  });
});
