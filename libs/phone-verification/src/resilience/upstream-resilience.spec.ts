import { scriptedResult } from '../testing/fake-phone-verification.service.js';
import type { PhoneVerificationResult } from '../dto/phone-verification-result.js';
import {
  InvalidTokenError,
  UpstreamRateLimitedError,
  UpstreamServerError,
} from '../errors/upstream-api.errors.js';
import {
  UpstreamConnectionLostError,
  UpstreamTimeoutError,
} from '../errors/transport.errors.js';
import { UpstreamUnavailableError } from '../errors/upstream-unavailable.error.js';
import { rejectionOf } from '../testing/rejection-of.js';
import { VirtualClock } from '../testing/virtual-clock.js';
import { resolveCircuitBreaker } from './circuit-breaker.options.js';
import { resolveRetry, type RetryOptions } from './retry.options.js';
import {
  UpstreamResilience,
  type AttemptTally,
} from './upstream-resilience.js';
import type { CircuitBreakerOptions } from './circuit-breaker.options.js';

/** A call that answers each attempt from the script, in order, and records when it was made. */
function scripted(...answers: (PhoneVerificationResult | Error)[]) {
  const calls: number[] = [];
  return {
    calls,
    call: (clock: VirtualClock) => async () => {
      calls.push(clock.now());
      const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

function resilience(
  retry: RetryOptions | false = {},
  breaker: CircuitBreakerOptions | false = false,
) {
  const clock = new VirtualClock(0);
  const layer = new UpstreamResilience(
    {
      retry: resolveRetry(retry),
      circuitBreaker: resolveCircuitBreaker(breaker),
    },
    clock,
  );
  return { clock, layer };
}

const serverError = () => new UpstreamServerError({ httpStatus: 500 });

describe('UpstreamResilience (virtual time)', () => {
  it('retries what cannot have been billed, backing off within the jitter ceilings', async () => {
    const { clock, layer } = resilience({ maxAttempts: 3, baseDelayMs: 100 });
    const s = scripted(serverError(), serverError(), scriptedResult(0));
    const outcome = await clock.settle(layer.execute(s.call(clock)));
    expect(outcome).toMatchObject({ result: { code: 0 }, attempts: 3 });
    expect(s.calls[1] - s.calls[0]).toBeLessThanOrEqual(100);
    expect(s.calls[2] - s.calls[1]).toBeLessThanOrEqual(200);
  });

  it('retries the engine failures (-2, -3) and answers the last result when they persist', async () => {
    const { clock, layer } = resilience({ maxAttempts: 3 });
    const s = scripted(scriptedResult(-2), scriptedResult(-3));
    const outcome = await clock.settle(layer.execute(s.call(clock)));
    expect(outcome).toMatchObject({ result: { code: -3 }, attempts: 3 });
  });

  it.each([
    ['a timeout after sending', new UpstreamTimeoutError(1_000)],
    [
      'a connection lost after sending',
      new UpstreamConnectionLostError('ECONNRESET'),
    ],
    ['rejected credentials', new InvalidTokenError({ httpStatus: 401 })],
  ])('never retries %s', async (_label, error) => {
    const { clock, layer } = resilience({ maxAttempts: 5 });
    const s = scripted(error);
    const tally: AttemptTally = { attempts: 0 };
    expect(
      await rejectionOf(clock.settle(layer.execute(s.call(clock), tally))),
    ).toBe(error);
    expect(s.calls).toHaveLength(1);
    expect(tally.attempts).toBe(1);
  });

  it('waits exactly the Retry-After the upstream asked for', async () => {
    const { clock, layer } = resilience({ maxAttempts: 2 });
    const limited = new UpstreamRateLimitedError({
      httpStatus: 429,
      retryAfterMs: 2_500,
    });
    const s = scripted(limited, scriptedResult(1));
    await clock.settle(layer.execute(s.call(clock)));
    expect(s.calls).toEqual([0, 2_500]);
  });

  it('gives up rather than wait past the deadline or past maxRetryAfterMs', async () => {
    const late = resilience({ maxAttempts: 5, deadlineMs: 1_000 });
    const s1 = scripted(
      new UpstreamRateLimitedError({ httpStatus: 429, retryAfterMs: 1_500 }),
    );
    await rejectionOf(
      late.clock.settle(late.layer.execute(s1.call(late.clock))),
    );
    expect(s1.calls).toHaveLength(1);

    const patient = resilience({ maxAttempts: 5, maxRetryAfterMs: 1_000 });
    const s2 = scripted(
      new UpstreamRateLimitedError({ httpStatus: 429, retryAfterMs: 1_001 }),
    );
    await rejectionOf(
      patient.clock.settle(patient.layer.execute(s2.call(patient.clock))),
    );
    expect(s2.calls).toHaveLength(1);
  });

  it('makes one attempt with retries off, and counts attempts in the tally when it throws', async () => {
    const { clock, layer } = resilience(false);
    const s = scripted(serverError());
    const tally: AttemptTally = { attempts: 0 };
    await rejectionOf(clock.settle(layer.execute(s.call(clock), tally)));
    expect(tally.attempts).toBe(1);
  });

  it('opens the breaker on failed verifications (not attempts), then answers without calling', async () => {
    const { clock, layer } = resilience(
      { maxAttempts: 3, baseDelayMs: 0 },
      { consecutiveFailures: 2, cooldownMs: 60_000 },
    );
    const s = scripted(serverError());
    await rejectionOf(clock.settle(layer.execute(s.call(clock))));
    expect(layer.circuitState()).toBe('closed');
    await rejectionOf(clock.settle(layer.execute(s.call(clock))));
    expect(layer.circuitState()).toBe('open');
    expect(s.calls).toHaveLength(6);
    const tally: AttemptTally = { attempts: 0 };
    const error = await rejectionOf(layer.execute(s.call(clock), tally));
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect(tally.attempts).toBe(0);
  });

  it('does not count results or rejected credentials against the breaker', async () => {
    const { clock, layer } = resilience(false, { consecutiveFailures: 1 });
    await clock.settle(layer.execute(scripted(scriptedResult(1)).call(clock)));
    await rejectionOf(
      layer.execute(
        scripted(new InvalidTokenError({ httpStatus: 401 })).call(clock),
      ),
    );
    expect(layer.circuitState()).toBe('closed');
  });
});
