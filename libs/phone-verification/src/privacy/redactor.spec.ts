import { createRedactor } from './redactor.js';

describe('createRedactor', () => {
  const redact = createRedactor([
    '张三',
    '13812345678',
    '11010519491231002X',
    'tok-abc',
    undefined,
    '',
  ]);

  it('removes every given value, wherever it appears', () => {
    expect(redact('张三/张三 tok-abc')).toBe(
      '[redacted]/[redacted] [redacted]',
    );
  });

  it('removes long digit runs even when they are not the given values', () => {
    expect(redact('phone 13900000000 id 44030419900101123x code 42')).toBe(
      'phone [redacted] id [redacted] code 42',
    );
  });

  it('leaves ordinary text alone', () => {
    expect(redact('fetch failed')).toBe('fetch failed');
  });
});
