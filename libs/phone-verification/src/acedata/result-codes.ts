import type { PhoneVerificationStatus } from '../dto/phone-verification-result.js';

/** What one of AceData's result codes means for this library. */
export interface ResultCodeMeaning {
  readonly status: PhoneVerificationStatus;
  /**
   * AceData charges for it: `true`, `false`, or `'maybe'` while a bill has
   * not settled it (counted against budgets, recorded as may-have-billed).
   */
  readonly billed: boolean | 'maybe';
  /**
   * How long an answer with this code stays true: for the cache's TTL, until
   * the next midnight in China (when the daily limit resets), or not at all.
   */
  readonly cache: 'ttl' | 'until_china_midnight' | 'never';
  /** A failure of AceData's engine, not billed: worth another attempt. */
  readonly retryable: boolean;
}

const meaning = (
  status: PhoneVerificationStatus,
  billed: boolean | 'maybe',
  cache: ResultCodeMeaning['cache'],
  retryable = false,
): ResultCodeMeaning => ({ status, billed, cache, retryable });

/**
 * AceData's result codes (`result` of an HTTP 200) as its guide documents
 * them. The module reads them through a {@link ResultCodeTable}, which an
 * operator's `resultCodes` overrides may change.
 */
export const RESULT_CODES: ReadonlyMap<number, ResultCodeMeaning> = new Map([
  [0, meaning('consistent', true, 'ttl')],
  [1, meaning('inconsistent', true, 'ttl')],
  [-1, meaning('no_record', false, 'never')],
  [-2, meaning('engine_error', false, 'never', true)],
  [-3, meaning('engine_unavailable', false, 'never', true)],
  // AceData's guide: "name check failed", not billed. But check-3e is
  // Tencent's PhoneVerification, whose -4 is a billed "inconsistent": until
  // a bill settles it, money-safe (see acedata-check-3e.md).
  [-4, meaning('name_invalid', 'maybe', 'never')],
  [-5, meaning('phone_invalid', false, 'never')],
  [-6, meaning('daily_limit_exceeded', false, 'until_china_midnight')],
]);

/** What a code in no table means: `unknown`, not billed, not cached, not retried. */
export const UNKNOWN_CODE_MEANING = meaning('unknown', false, 'never');

/**
 * The one table the mapper, the cache and the retry loop read: AceData's
 * documented codes, with the deployment's overrides applied.
 */
export class ResultCodeTable {
  /** AceData's guide, without overrides. */
  static readonly documented = new ResultCodeTable(RESULT_CODES);

  private constructor(
    private readonly codes: ReadonlyMap<number, ResultCodeMeaning>,
  ) {}

  /** This table with some codes' meanings replaced (given fields only). */
  withOverrides(
    overrides: ReadonlyMap<number, Partial<ResultCodeMeaning>>,
  ): ResultCodeTable {
    if (overrides.size === 0) return this;
    const codes = new Map(this.codes);
    for (const [code, override] of overrides) {
      codes.set(code, { ...this.meaningOf(code), ...override });
    }
    return new ResultCodeTable(codes);
  }

  /** The meaning of a code; one in no table is {@link UNKNOWN_CODE_MEANING}. */
  meaningOf(code: number): ResultCodeMeaning {
    return this.codes.get(code) ?? UNKNOWN_CODE_MEANING;
  }
}

/** The documented meaning of a result code; a code we do not know is `unknown`, not billed, not cached. */
export function meaningOfResultCode(code: number): ResultCodeMeaning {
  return ResultCodeTable.documented.meaningOf(code);
}
