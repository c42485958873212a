import type { IRetryBackoffContext } from 'cockatiel';
import {
  UpstreamRateLimitedError,
  UpstreamServerError,
} from '../errors/upstream-api.errors.js';
import { RetryBackoff, type GiveUpSignal } from './retry-backoff.js';

const clock = { now: () => 1_000_000 };
const failure = (error: Error): IRetryBackoffContext<unknown> => ({
  attempt: 1,
  signal: new AbortController().signal,
  result: { error },
});
const serverError = new UpstreamServerError({ httpStatus: 500 });

function backoff(
  random: () => number,
  deadlineIn = 60_000,
  signal: GiveUpSignal = { giveUp: false },
) {
  return new RetryBackoff(
    {
      baseDelayMs: 100,
      maxDelayMs: 1_000,
      maxRetryAfterMs: 5_000,
      deadlineAt: clock.now() + deadlineIn,
      clock,
      random,
    },
    signal,
  );
}

describe('RetryBackoff', () => {
  it('draws each delay uniformly up to base·2^n (full jitter), capped at maxDelayMs', () => {
    let b = backoff(() => 1).next(failure(serverError));
    const ceilings = [b.duration];
    for (let i = 0; i < 5; i++) {
      b = b.next(failure(serverError));
      ceilings.push(b.duration);
    }
    expect(ceilings).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoff(() => 0).next(failure(serverError)).duration).toBe(0);
    expect(backoff(() => 0.5).next(failure(serverError)).duration).toBe(50);
  });

  it('uses Retry-After instead when the upstream sent one', () => {
    const limited = new UpstreamRateLimitedError({
      httpStatus: 429,
      retryAfterMs: 2_000,
    });
    expect(backoff(() => 1).next(failure(limited)).duration).toBe(2_000);
  });

  it('gives up on a Retry-After above the cap', () => {
    const signal = { giveUp: false };
    const limited = new UpstreamRateLimitedError({
      httpStatus: 429,
      retryAfterMs: 6_000,
    });
    expect(
      backoff(() => 1, 60_000, signal).next(failure(limited)).duration,
    ).toBe(0);
    expect(signal.giveUp).toBe(true);
  });

  it('gives up when the next attempt would start past the deadline', () => {
    const signal = { giveUp: false };
    backoff(() => 1, 50, signal).next(failure(serverError));
    expect(signal.giveUp).toBe(true);
    const fine = { giveUp: false };
    backoff(() => 1, 500, fine).next(failure(serverError));
    expect(fine.giveUp).toBe(false);
  });
});
