import type { PhoneVerificationStatus } from '../dto/phone-verification-result.js';

/** What one of AceData's result codes means for this library. */
export interface ResultCodeMeaning {
  readonly status: PhoneVerificationStatus;
  /** AceData charges for it. */
  readonly billed: boolean;
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
  billed: boolean,
  cache: ResultCodeMeaning['cache'],
  retryable = false,
): ResultCodeMeaning => ({ status, billed, cache, retryable });

/**
 * The one table of AceData's result codes (`result` of an HTTP 200); the
 * mapper, the cache, the retry loop and the fakes all read it.
 */
export const RESULT_CODES: ReadonlyMap<number, ResultCodeMeaning> = new Map([
  [0, meaning('consistent', true, 'ttl')],
  [1, meaning('inconsistent', true, 'ttl')],
  [-1, meaning('no_record', false, 'never')],
  [-2, meaning('engine_error', false, 'never', true)],
  [-3, meaning('engine_unavailable', false, 'never', true)],
  [-4, meaning('name_invalid', false, 'never')],
  [-5, meaning('phone_invalid', false, 'never')],
  [-6, meaning('daily_limit_exceeded', false, 'until_china_midnight')],
]);

const UNKNOWN_CODE = meaning('unknown', false, 'never');

/** The meaning of a result code; a code we do not know is `unknown`, not billed, not cached. */
export function meaningOfResultCode(code: number): ResultCodeMeaning {
  return RESULT_CODES.get(code) ?? UNKNOWN_CODE;
}
