import { maskIdCard, maskName, maskPhone } from './masking.js';

describe('masking', () => {
  it.each([
    ['13812345678', '138****5678'],
    ['19212345678', '192****5678'],
    ['1381234', '*******'],
    // As typed: normalised before masking, never echoing the country code.
    ['+86 138-1234-5678', '138****5678'],
    ['００８６１３８１２３４５６７８', '138****5678'],
    ['', ''],
  ])('maskPhone(%j) → %j', (input, masked) =>
    expect(maskPhone(input)).toBe(masked),
  );

  it.each([
    ['11010519491231002X', '110105********002X'],
    ['440304199001011233', '440304********1233'],
    ['12345', '*****'],
  ])('maskIdCard(%j) → %j', (input, masked) =>
    expect(maskIdCard(input)).toBe(masked),
  );

  it.each([
    ['张三', '张*'],
    ['欧阳娜娜', '欧***'],
    ['李', '李*'],
    ['𠀀明', '𠀀*'],
    ['阿依古丽·买买提', '阿*******'],
    ['', ''],
  ])('maskName(%j) → %j', (input, masked) =>
    expect(maskName(input)).toBe(masked),
  );
});
