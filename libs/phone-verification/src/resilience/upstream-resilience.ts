import { Inject, Injectable } from '@nestjs/common';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  IsolatedCircuitError,
  SamplingBreaker,
  circuitBreaker,
  handleWhen,
  retry,
  type CircuitBreakerPolicy,
  type FailureReason,
  type IBreaker,
} from 'cockatiel';
import type { PhoneVerificationResult } from '../dto/phone-verification-result.js';
import { PhoneVerificationError } from '../errors/phone-verification.error.js';
import {
  MalformedUpstreamResponseError,
  UpstreamConnectionLostError,
  UpstreamTimeoutError,
} from '../errors/transport.errors.js';
import { UpstreamUnavailableError } from '../errors/upstream-unavailable.error.js';
import {
  PHONE_VERIFICATION_CLOCK,
  PHONE_VERIFICATION_RESOLVED_OPTIONS,
} from '../phone-verification.constants.js';
import type {
  ResolvedCircuitBreakerOptions,
  ResolvedPhoneVerificationOptions,
} from '../phone-verification.options.js';
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
 * (429, 5xx error bodies, connections that failed before the request was
 * written). A timeout, a broken connection after the request was written or
 * an answer we could not read may have been billed.
 */
function isSafeToRetry(error: Error): boolean {
  return (
    error instanceof PhoneVerificationError &&
    error.retryable &&
    !error.mayHaveBilled
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
    error instanceof UpstreamConnectionLostError ||
    error instanceof MalformedUpstreamResponseError
  );
}

function breakerFor(options: ResolvedCircuitBreakerOptions): IBreaker {
  if (options.kind === 'consecutive') {
    return new ConsecutiveBreaker(options.consecutiveFailures);
  }
  return new SamplingBreaker({
    threshold: options.failureRate,
    duration: options.windowMs,
    // cockatiel wants a rate; it compares calls in the window against
    // rate × window, so a hair under minimumCalls keeps float error from
    // demanding one call more than asked.
    minimumRps: ((options.minimumCalls - 1e-6) * 1000) / options.windowMs,
  });
}

/** Counts the upstream calls one verification made, whether it failed or not. */
export interface AttemptTally {
  attempts: number;
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
 * A circuit breaker (cockatiel's sampling or consecutive breaker) around
 * retries (cockatiel's retry policy with a backoff that honours Retry-After
 * and a total deadline) around one upstream call. The breaker sees whole
 * verifications, so one unlucky call with its retries counts once; it is
 * shared by every verification.
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
        breaker: breakerFor(breakerOptions),
      });
    }
  }

  /** The circuit breaker's state. */
  circuitState(): CircuitBreakerState {
    return this.breaker ? STATE_NAMES[this.breaker.state] : 'disabled';
  }

  /**
   * Runs `call` under the configured circuit-breaker and retry policies.
   * `tally` counts the upstream calls made, also when this throws.
   */
  async execute(
    call: () => Promise<PhoneVerificationResult>,
    tally: AttemptTally = { attempts: 0 },
  ): Promise<ResilientOutcome> {
    const counted = (): Promise<PhoneVerificationResult> => {
      tally.attempts++;
      return call();
    };
    const withRetries = () => this.withRetries(counted);
    if (!this.breaker) {
      return { result: await withRetries(), attempts: tally.attempts };
    }
    try {
      const result = await this.breaker.execute(withRetries);
      return { result, attempts: tally.attempts };
    } catch (error) {
      if (
        error instanceof BrokenCircuitError ||
        error instanceof IsolatedCircuitError
      ) {
        throw new UpstreamUnavailableError();
      }
      throw error;
    }
  }

  private async withRetries(
    once: () => Promise<PhoneVerificationResult>,
  ): Promise<PhoneVerificationResult> {
    const retryOptions = this.options.retry;
    if (!retryOptions || retryOptions.maxAttempts <= 1) return once();
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
      return await policy.execute(async ({ attempt }) => {
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
    } catch (error) {
      if (!(error instanceof GiveUp)) throw error;
      if ('error' in error.last) throw error.last.error;
      return error.last.value;
    }
  }
}
