import type { ResolvedPacingOptions } from './pacing.options.js';
import type { ResolvedRetryOptions } from './retry.options.js';

/**
 * The longest one verification's upstream call can last: its last attempt
 * (retried, or waiting for a pacing slot) starts before the retry deadline,
 * then takes at most one timeout. One attempt, unpaced: one timeout. The
 * single flight's lease and the ledger's "sent" rows last this long, so
 * they follow any change to retries, pacing or the timeout.
 */
export function callDeadlineMs(
  retry: Pick<ResolvedRetryOptions, 'maxAttempts' | 'deadlineMs'>,
  pacing: ResolvedPacingOptions | false,
  timeoutMs: number,
): number {
  return (retry.maxAttempts > 1 || pacing ? retry.deadlineMs : 0) + timeoutMs;
}
