import { callDeadlineMs } from './call-deadline.js';
import { resolvePacing } from './pacing.options.js';
import { resolveRetry } from './retry.options.js';

describe('callDeadlineMs, the one rule for how long a call can last', () => {
  it('one attempt, unpaced: one timeout', () => {
    expect(callDeadlineMs(resolveRetry(false), false, 5_000)).toBe(5_000);
  });

  it('with retries: the retry deadline, then one more timeout', () => {
    const retry = resolveRetry({ maxAttempts: 3, deadlineMs: 12_000 });
    expect(callDeadlineMs(retry, false, 5_000)).toBe(17_000);
  });

  it('paced, even with one attempt: the wait for a slot counts', () => {
    const pacing = resolvePacing({ callsPerSecond: 5 });
    expect(callDeadlineMs(resolveRetry(false), pacing, 5_000)).toBe(
      resolveRetry(false).deadlineMs + 5_000,
    );
    expect(resolveRetry(false).deadlineMs).toBeGreaterThan(0);
  });
});
