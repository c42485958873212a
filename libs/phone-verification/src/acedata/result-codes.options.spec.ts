import { InvalidPhoneVerificationOptionsError } from '../errors/boot.errors.js';
import { RESULT_CODES, ResultCodeTable } from './result-codes.js';
import { resolveResultCodes } from './result-codes.options.js';

function problemOf(raw: unknown): InvalidPhoneVerificationOptionsError {
  try {
    resolveResultCodes(raw);
  } catch (error) {
    if (error instanceof InvalidPhoneVerificationOptionsError) return error;
    throw error;
  }
  throw new Error('resolveResultCodes accepted it');
}

describe('resolveResultCodes', () => {
  it("without overrides is AceData's documented table", () => {
    const table = resolveResultCodes(undefined);
    expect(table).toBe(ResultCodeTable.documented);
    for (const [code, meaning] of RESULT_CODES) {
      expect(table.meaningOf(code)).toEqual(meaning);
    }
    expect(table.meaningOf(-9)).toEqual({
      status: 'unknown',
      billed: false,
      cache: 'never',
      retryable: false,
    });
  });

  it("replaces the given fields of a code and keeps the others (Tencent's -4: billed, inconsistent)", () => {
    const table = resolveResultCodes({
      '-4': { status: 'inconsistent', billed: true, cache: 'ttl' },
      '-9': { status: 'no_record' },
    });
    expect(table.meaningOf(-4)).toEqual({
      status: 'inconsistent',
      billed: true,
      cache: 'ttl',
      retryable: false,
    });
    // A code the guide does not list starts from "unknown".
    expect(table.meaningOf(-9)).toEqual({
      status: 'no_record',
      billed: false,
      cache: 'never',
      retryable: false,
    });
    // The others are the guide's, and the documented table is untouched.
    expect(table.meaningOf(0)).toEqual(RESULT_CODES.get(0));
    // -4 is money-safe until a bill settles it (acedata-check-3e.md).
    expect(ResultCodeTable.documented.meaningOf(-4).billed).toBe('maybe');
  });

  it.each([
    [[], 'resultCodes', /keyed by result code/],
    [{ four: { billed: true } }, 'resultCodes', /"four", which is not a code/],
    [{ '-4': true }, 'resultCodes["-4"]', /must be an object/],
    [{ '-4': { billable: true } }, 'resultCodes["-4"]', /has "billable"/],
    [{ '-4': { status: 'ok' } }, 'resultCodes["-4"].status', /one of/],
    [
      { '-4': { billed: 'yes' } },
      'resultCodes["-4"].billed',
      /true, false or "maybe"/,
    ],
    [{ '-4': { cache: 'forever' } }, 'resultCodes["-4"].cache', /one of/],
    [{ '-2': { billed: true } }, 'resultCodes["-2"]', /billed and retried/],
    [{ '-3': { billed: 'maybe' } }, 'resultCodes["-3"]', /billed and retried/],
    [{ '0': { retryable: true } }, 'resultCodes["0"]', /pay again/],
  ])('refuses %j, naming %s', (raw, option, problem) => {
    const error = problemOf(raw);
    expect(error.option).toBe(option);
    expect(error.problem).toMatch(problem);
  });
});
