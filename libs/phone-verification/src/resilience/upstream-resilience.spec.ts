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
import { ResultCodeTable } from '../acedata/result-codes.js';
import { resolveResultCodes } from '../acedata/result-codes.options.js';
import type { CircuitBreakerOptions } from './circuit-breaker.options.js';
import { resolvePacing, type PacingOptions } from './pacing.options.js';

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
  pacing: PacingOptions | false = false,
  resultCodes = ResultCodeTable.documented,
) {
  const clock = new VirtualClock(0);
  const layer = new UpstreamResilience(
    {
      retry: resolveRetry(retry),
      circuitBreaker: resolveCircuitBreaker(breaker),
      pacing: resolvePacing(pacing),
      resultCodes,
    },
    clock,
  );
  return { clock, layer };
}

const serverError = () => new UpstreamServerError({ httpStatus: 500 });
const rateLimited = (retryAfterMs?: number) =>
  new UpstreamRateLimitedError({ httpStatus: 429, retryAfterMs });

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

  it("follows the deployment's result codes: -2 overridden as not retryable is answered at once", async () => {
    const codes = resolveResultCodes({ '-2': { retryable: false } });
    const { clock, layer } = resilience(
      { maxAttempts: 3 },
      false,
      false,
      codes,
    );
    const s = scripted(scriptedResult(-2), scriptedResult(0));
    const outcome = await clock.settle(layer.execute(s.call(clock)));
    expect(outcome).toMatchObject({ result: { code: -2 }, attempts: 1 });
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

  describe('with pacing', () => {
    it('every attempt, retries included, takes a slot: no two start closer than 1/rate', async () => {
      const { clock, layer } = resilience(
        { maxAttempts: 3, baseDelayMs: 0 },
        false,
        { callsPerSecond: 4 },
      );
      const a = scripted(serverError(), serverError(), scriptedResult(0));
      const b = scripted(serverError(), scriptedResult(0));
      await clock.settle(
        Promise.all([
          layer.execute(a.call(clock)),
          layer.execute(b.call(clock)),
        ]),
      );
      const starts = [...a.calls, ...b.calls].toSorted((x, y) => x - y);
      expect(starts).toHaveLength(5);
      for (let i = 1; i < starts.length; i++) {
        expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(250);
      }
    });

    it("a 429's Retry-After holds every other call too", async () => {
      const { clock, layer } = resilience({ maxAttempts: 2 }, false, {
        callsPerSecond: 100,
      });
      const limited = scripted(rateLimited(3_000), scriptedResult(0));
      const other = scripted(scriptedResult(0));
      const first = layer.execute(limited.call(clock));
      await clock.advance(1);
      const second = layer.execute(other.call(clock));
      await clock.settle(Promise.all([first, second]));
      expect(limited.calls[0]).toBe(0);
      expect(other.calls[0]).toBeGreaterThanOrEqual(3_000);
      expect(limited.calls[1]).toBeGreaterThanOrEqual(3_000);
    });

    it('a call whose slot would come past the deadline is not sent: upstream_unavailable, not billed', async () => {
      const { clock, layer } = resilience({ deadlineMs: 1_500 }, false, {
        callsPerSecond: 1,
      });
      const calls = [1, 2, 3].map(() => scripted(scriptedResult(0)));
      const attempted: number[] = [];
      const outcomes = await clock.settle(
        Promise.allSettled(
          calls.map((s, i) =>
            layer.execute(s.call(clock), { attempts: 0 }, () => {
              attempted.push(i);
            }),
          ),
        ),
      );
      expect(outcomes.map((o) => o.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'rejected',
      ]);
      const refused = (outcomes[2] as PromiseRejectedResult).reason;
      expect(refused).toBeInstanceOf(UpstreamUnavailableError);
      expect(refused).toMatchObject({
        reason: 'no_pacing_slot',
        mayHaveBilled: false,
      });
      expect(calls[2].calls).toHaveLength(0);
      expect(attempted).toEqual([0, 1]);
    });

    it('onAttempt runs right before each attempt, and a throw from it sends nothing', async () => {
      const { clock, layer } = resilience({ maxAttempts: 3, baseDelayMs: 0 });
      const s = scripted(serverError(), scriptedResult(0));
      const seen: number[] = [];
      await clock.settle(
        layer.execute(s.call(clock), { attempts: 0 }, () => {
          seen.push(s.calls.length);
        }),
      );
      expect(seen).toEqual([0, 1]);
      const never = scripted(scriptedResult(0));
      await expect(
        clock.settle(
          layer.execute(never.call(clock), { attempts: 0 }, () => {
            throw new Error('checkpoint disk full');
          }),
        ),
      ).rejects.toThrow('checkpoint disk full');

      expect(never.calls).toHaveLength(0);
    });
  });
});
