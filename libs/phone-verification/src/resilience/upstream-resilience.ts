import { Inject, Injectable } from '@nestjs/common';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  IsolatedCircuitError,
  circuitBreaker,
  handleWhen,
  retry,
  type CircuitBreakerPolicy,
  type FailureReason,
} from 'cockatiel';
import type { PhoneVerificationResult } from '../dto/phone-verification-result.js';
import { PhoneVerificationError } from '../errors/phone-verification.error.js';
import {
  MalformedUpstreamResponseError,
  UpstreamTimeoutError,
} from '../errors/transport.errors.js';
import { UpstreamUnavailableError } from '../errors/upstream-unavailable.error.js';
import {
  PHONE_VERIFICATION_CLOCK,
  PHONE_VERIFICATION_RESOLVED_OPTIONS,
} from '../phone-verification.constants.js';
import type { ResolvedPhoneVerificationOptions } from '../phone-verification.options.js';
import type { Clock } from './clock.js';
import { RetryBackoff, type GiveUpSignal } from './retry-backoff.js';

/** The circuit breaker's state, as the readiness check reports it. */
export type CircuitBreakerState =
  'closed' | 'open' | 'half_open' | 'isolated' | 'disabled';

const STATE_NAMES: Readonly<Record<CircuitState, CircuitBreakerState>> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};

/** Result codes -2 and -3 are engine failures: not billed, worth another try. */
const RETRYABLE_CODES: ReadonlySet<number> = new Set([-2, -3]);

/**
 * Only what cannot have been billed is retried: the error says so itself
 * (429, 5xx, refused/reset connections). A timeout or a 200 we could not
 * read may have been billed, and an open circuit is not worth waiting for.
 */
function isSafeToRetry(error: Error): boolean {
  return (
    error instanceof PhoneVerificationError &&
    error.retryable &&
    !error.mayHaveBilled &&
    !(error instanceof UpstreamUnavailableError)
  );
}

function isEngineFailure(result: unknown): boolean {
  return RETRYABLE_CODES.has((result as PhoneVerificationResult).code);
}

/** What opens the circuit: signs that AceData itself is in trouble. */
function countsAsUpstreamFailure(error: Error): boolean {
  return (
    (error instanceof PhoneVerificationError && error.retryable) ||
    error instanceof UpstreamTimeoutError ||
    error instanceof MalformedUpstreamResponseError
  );
}

/** Thrown inside the retry loop to end it early with the last outcome. */
class GiveUp {
  constructor(readonly last: FailureReason<PhoneVerificationResult>) {}
}

/** One verification's outcome after the policies. */
export interface ResilientOutcome {
  result: PhoneVerificationResult;
  /** Upstream calls made (0 when the circuit was open). */
  attempts: number;
}

/**
 * Retries (cockatiel's retry policy with a backoff that honours Retry-After
 * and a total deadline) around a circuit breaker (cockatiel's consecutive
 * breaker) around one upstream call. Shared by every verification, so the
 * breaker sees all of them.
 */
@Injectable()
export class UpstreamResilience {
  private readonly breaker?: CircuitBreakerPolicy;

  constructor(
    @Inject(PHONE_VERIFICATION_RESOLVED_OPTIONS)
    private readonly options: ResolvedPhoneVerificationOptions,
    @Inject(PHONE_VERIFICATION_CLOCK) private readonly clock: Clock,
  ) {
    const breakerOptions = options.circuitBreaker;
    if (breakerOptions) {
      this.breaker = circuitBreaker(handleWhen(countsAsUpstreamFailure), {
        halfOpenAfter: breakerOptions.cooldownMs,
        breaker: new ConsecutiveBreaker(breakerOptions.failureThreshold),
      });
    }
  }

  /** The circuit breaker's state. */
  circuitState(): CircuitBreakerState {
    return this.breaker ? STATE_NAMES[this.breaker.state] : 'disabled';
  }

  /** Runs `call` under the configured retry and circuit-breaker policies. */
  async execute(
    call: () => Promise<PhoneVerificationResult>,
  ): Promise<ResilientOutcome> {
    let attempts = 0;
    const once = async (): Promise<PhoneVerificationResult> => {
      if (!this.breaker) {
        attempts++;
        return call();
      }
      try {
        return await this.breaker.execute(() => {
          attempts++;
          return call();
        });
      } catch (error) {
        if (
          error instanceof BrokenCircuitError ||
          error instanceof IsolatedCircuitError
        ) {
          throw new UpstreamUnavailableError();
        }
        throw error;
      }
    };
    const retryOptions = this.options.retry;
    if (!retryOptions || retryOptions.maxAttempts <= 1) {
      return { result: await once(), attempts };
    }
    const signal: GiveUpSignal = { giveUp: false };
    const policy = retry(
      handleWhen(isSafeToRetry).orWhenResult(isEngineFailure),
      {
        maxAttempts: retryOptions.maxAttempts - 1,
        backoff: new RetryBackoff(
          {
            baseDelayMs: retryOptions.baseDelayMs,
            maxDelayMs: retryOptions.maxDelayMs,
            maxRetryAfterMs: retryOptions.maxRetryAfterMs,
            deadlineAt: this.clock.now() + retryOptions.deadlineMs,
            clock: this.clock,
          },
          signal,
        ),
      },
    );
    let last: FailureReason<PhoneVerificationResult> | undefined;
    try {
      const result = await policy.execute(async ({ attempt }) => {
        if (attempt > 0 && signal.giveUp && last) throw new GiveUp(last);
        try {
          const value = await once();
          last = { value };
          return value;
        } catch (error) {
          last = { error: error as Error };
          throw error;
        }
      });
      return { result, attempts };
    } catch (error) {
      if (!(error instanceof GiveUp)) throw error;
      if ('error' in error.last) throw error.last.error;
      return { result: error.last.value, attempts };
    }
  }
}
