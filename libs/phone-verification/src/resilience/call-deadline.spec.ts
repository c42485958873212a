import { callDeadlineMs, withPacingWait } from './call-deadline.js';
import { resolvePhoneVerificationOptions } from '../phone-verification.options.js';
import { resolvePacing } from './pacing.options.js';
import { MAX_RETRY_DEADLINE_MS, resolveRetry } from './retry.options.js';

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

describe('withPacingWait, the deadline of a call queued for its pacing slot', () => {
  const retry = resolveRetry({ deadlineMs: 30_000 });

  it('grows the retry deadline by the turns of the calls that may wait ahead', () => {
    const pacing = resolvePacing({ callsPerSecond: 8, waiting: 16 });
    expect(withPacingWait(retry, pacing).deadlineMs).toBe(32_000);
    expect(callDeadlineMs(withPacingWait(retry, pacing), pacing, 5_000)).toBe(
      37_000,
    );
  });

  it('leaves it unpaced or with nobody waiting, and never past the longest deadline', () => {
    expect(withPacingWait(retry, false)).toBe(retry);
    expect(withPacingWait(retry, resolvePacing({ callsPerSecond: 8 }))).toBe(
      retry,
    );
    const slow = resolvePacing({ callsPerSecond: 0.01, waiting: 100 });
    expect(withPacingWait(retry, slow).deadlineMs).toBe(MAX_RETRY_DEADLINE_MS);
  });

  it('refuses a waiting count that is not a whole number, naming it', () => {
    expect(() => resolvePacing({ callsPerSecond: 8, waiting: 1.5 })).toThrow(
      /pacing\.waiting/,
    );
  });
});

describe("the module's options, resolved", () => {
  it('give the retry loop and the ledger the deadline grown by the pacing wait', () => {
    const resolved = resolvePhoneVerificationOptions({
      apiToken: 't'.repeat(16),
      timeoutMs: 5_000,
      retry: { deadlineMs: 30_000 },
      pacing: { callsPerSecond: 8, waiting: 16 },
      ledger: {
        store: { pglite: { dataDir: 'memory://' } },
        secret: 's'.repeat(32),
      },
    });
    expect(resolved.resilience.retry.deadlineMs).toBe(32_000);
    expect(resolved.ledger && resolved.ledger.callDeadlineMs).toBe(37_000);
  });
});
