import { InvalidPhoneVerificationOptionsError } from '../errors/boot.errors.js';
import { wholeNumberOption } from '../option-checks.js';

/**
 * A ceiling on this instance's calls to AceData: every attempt (first
 * calls and retries) waits for its slot, and a 429's `Retry-After` pauses
 * them all. Off unless given.
 */
export interface PacingOptions {
  /** Upstream calls per second at most, in any one-second window (0.01 to 10000). */
  callsPerSecond: number;
  /**
   * How many calls may wait for a slot at once (a batch's concurrency): a
   * call may wait behind all of them, so its deadline grows by their turns,
   * `waiting / callsPerSecond` seconds. Default 0.
   */
  waiting?: number;
}

/** The pacing after validation; `false` when off. */
export type ResolvedPacingOptions = Readonly<Required<PacingOptions>>;

/** Validates `pacing`. */
export function resolvePacing(
  pacing: PacingOptions | false | undefined,
): ResolvedPacingOptions | false {
  if (pacing === undefined || pacing === false) return false;
  const rate = pacing.callsPerSecond;
  if (
    typeof rate !== 'number' ||
    !Number.isFinite(rate) ||
    rate < 0.01 ||
    rate > 10_000
  ) {
    throw new InvalidPhoneVerificationOptionsError(
      'pacing.callsPerSecond',
      'must be a number from 0.01 to 10000',
    );
  }
  return {
    callsPerSecond: rate,
    waiting: wholeNumberOption(
      'pacing.waiting',
      pacing.waiting ?? 0,
      0,
      100_000,
    ),
  };
}
