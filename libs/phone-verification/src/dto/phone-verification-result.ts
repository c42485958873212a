/** Every readable status of a result (see `RESULT_CODES` for each code's). */
export const PHONE_VERIFICATION_STATUSES = [
  'consistent',
  'inconsistent',
  'no_record',
  'engine_error',
  'engine_unavailable',
  'name_invalid',
  'phone_invalid',
  'daily_limit_exceeded',
  'unknown',
] as const;

/** The readable name of each result code. */
export type PhoneVerificationStatus =
  (typeof PHONE_VERIFICATION_STATUSES)[number];

/** Every carrier a result can name. */
export const CARRIERS = [
  'china_mobile',
  'china_unicom',
  'china_telecom',
  'china_broadnet',
  'unknown',
] as const;

/** The carrier, normalised from AceData's English or Chinese spelling. */
export type Carrier = (typeof CARRIERS)[number];

/** Which elements did not match, as the detailed mode reports it. */
export type MismatchDetail =
  | 'PhoneIdCardMismatch'
  | 'PhoneNameMismatch'
  | 'PhoneNameIdCardMismatch'
  | 'NameIdCardMismatch'
  | 'OtherMismatch';

/**
 * One verification's answer. Every HTTP 200 from AceData is a result, even
 * an unknown code (then `status` is `unknown`); failures are thrown as
 * `PhoneVerificationError`s instead.
 */
export interface PhoneVerificationResult {
  /** The numeric result code (0, 1, -1 … -6, or one we do not know). */
  readonly code: number;
  /** The readable name of `code`. */
  readonly status: PhoneVerificationStatus;
  /**
   * Whether AceData charges for this **code** (0 and 1: `true`); `'maybe'`
   * for a code whose billing is unsettled (`-4` by default: see the README).
   * Says nothing of this call: see `charged`.
   */
  readonly billable: boolean | 'maybe';
  /**
   * Whether **this call** was charged: the code's `billable` for an answer
   * fetched from AceData for it; `false` for one from the cache or shared
   * with an identical call in flight.
   */
  readonly charged: boolean | 'maybe';
  /** AceData's description of the result; may be in Chinese. */
  readonly description: string;
  /** The carrier, normalised from `isp`. */
  readonly carrier: Carrier;
  /** The carrier as AceData spelled it (`Mobile`, `移动`, `""` …), as on the wire. */
  readonly isp: string;
  /** Which elements did not match (detailed mode), or null. */
  readonly detail: MismatchDetail | (string & {}) | null;
  /** AceData's trace id, when it sent one. */
  readonly traceId?: string;
  /**
   * True when the answer came from the result cache: AceData was not called
   * and nothing was charged for this call, whatever `billed` says of the code.
   */
  readonly fromCache: boolean;
  /**
   * True when the answer was shared with an identical verification already
   * in flight: this call made no upstream call and was charged nothing.
   */
  readonly shared: boolean;
}

/**
 * Whether this call was charged: a billed code (0 or 1) fetched from AceData
 * for it, not answered from the cache nor shared with an identical call.
 */
export function chargedForThisCall(result: PhoneVerificationResult): boolean {
  return result.charged === true;
}

/**
 * Whether this call may have been charged: a code whose billing is
 * unsettled (`charged: 'maybe'`), fetched from AceData for it.
 */
export function mayHaveChargedThisCall(
  result: PhoneVerificationResult,
): boolean {
  return result.charged === 'maybe';
}
