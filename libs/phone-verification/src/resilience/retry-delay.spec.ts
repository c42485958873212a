import {
  UpstreamRateLimitedError,
  UpstreamServerError,
} from '../errors/upstream-api.errors.js';
import { nextRetryDelay } from './retry-delay.js';
import { resolveRetry } from './retry.options.js';

const options = resolveRetry({
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  maxRetryAfterMs: 5_000,
});
const serverError = new UpstreamServerError({ httpStatus: 500 });
const limited = (retryAfterMs?: number) =>
  new UpstreamRateLimitedError({ httpStatus: 429, retryAfterMs });

describe('nextRetryDelay', () => {
  it('draws each delay uniformly up to base·2^(n-1) (full jitter), capped at maxDelayMs', () => {
    const ceilings = [1, 2, 3, 4, 5, 6].map((attempt) =>
      nextRetryDelay(options, attempt, serverError, () => 1),
    );
    expect(ceilings).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(nextRetryDelay(options, 1, serverError, () => 0)).toBe(0);
    expect(nextRetryDelay(options, 1, serverError, () => 0.5)).toBe(50);
  });

  it('backs off the same way after an engine failure (no error)', () => {
    expect(nextRetryDelay(options, 3, undefined, () => 1)).toBe(400);
  });

  it('uses Retry-After instead when the upstream sent one', () => {
    expect(nextRetryDelay(options, 1, limited(2_000), () => 1)).toBe(2_000);
  });

  it('backs off as usual after a 429 without Retry-After', () => {
    expect(nextRetryDelay(options, 2, limited(), () => 1)).toBe(200);
  });

  it('gives up on a Retry-After above maxRetryAfterMs', () => {
    expect(nextRetryDelay(options, 1, limited(6_000), () => 1)).toBeUndefined();
  });
});
