import { Injectable } from '@nestjs/common';
import {
  BrokenCircuitError,
  IsolatedCircuitError,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type { ResultCodeTable } from '../acedata/result-codes.js';
import type { Clock } from '../clock.js';
import type { PhoneVerificationResult } from '../dto/phone-verification-result.js';
import { PhoneVerificationError } from '../errors/phone-verification.error.js';
import { UpstreamUnavailableError } from '../errors/upstream-unavailable.error.js';
import type { ResolvedCircuitBreakerOptions } from './circuit-breaker.options.js';
import {
  createCircuitBreaker,
  stateOf,
  type CircuitBreakerState,
} from './circuit-breaker.js';
import { inAttempt } from '../events/verification-tracing.js';
import { nextRetryDelay } from './retry-delay.js';
import type { ResolvedRetryOptions } from './retry.options.js';
import type { ResolvedPacingOptions } from './pacing.options.js';
import { UpstreamPacer } from './upstream-pacer.js';
import { UpstreamRateLimitedError } from '../errors/upstream-api.errors.js';

/** The slice of the options the resilience layer is given. */
export interface ResilienceOptions {
  readonly retry: ResolvedRetryOptions;
  readonly circuitBreaker: ResolvedCircuitBreakerOptions | false;
  readonly pacing: ResolvedPacingOptions | false;
  /** Which result codes are engine failures worth another attempt. */
  readonly resultCodes: ResultCodeTable;
}

/** A 429 without `Retry-After` holds the pacing this long. */
const DEFAULT_RATE_LIMIT_HOLD_MS = 1_000;

/** Counts the upstream calls one verification made, whether it failed or not. */
export interface AttemptTally {
  attempts: number;
  /**
   * A request was written and no answer the library could read came back
   * for it: what an error that is not the library's own is settled by.
   */
  unanswered?: boolean;
}

/** One verification's outcome after the policies. */
export interface ResilientOutcome {
  result: PhoneVerificationResult;
  /** Upstream calls made (0 when the circuit was open). */
  attempts: number;
}

/** One attempt's outcome: a result, or the error it threw. */
type Attempt =
  { readonly result: PhoneVerificationResult } | { readonly error: unknown };

/**
 * Only what cannot have been billed is retried: an error that says so
 * itself (429, 5xx error bodies, a connection that failed before the
 * request was written) or a result code the table marks retryable (the
 * engine failures -2 and -3). A timeout, a connection broken after the
 * request was written, or an answer we could not read may have been billed.
 */
function worthRetrying(attempt: Attempt, codes: ResultCodeTable): boolean {
  if ('result' in attempt) {
    const meaning = codes.meaningOf(attempt.result.code);
    return meaning.retryable && !attempt.result.billable;
  }
  const { error } = attempt;
  return (
    error instanceof PhoneVerificationError &&
    error.retryable &&
    !error.mayHaveBilled
  );
}

function unwrap(attempt: Attempt): PhoneVerificationResult {
  if ('result' in attempt) return attempt.result;
  throw attempt.error;
}

/**
 * A circuit breaker (cockatiel's) around a retry loop around one upstream
 * call. The loop is plain code on the injected clock: take a pacing slot
 * (when `pacing` is on), attempt, stop unless the outcome is safe to retry,
 * wait `nextRetryDelay()` unless that would start past the deadline, attempt
 * again. No attempt starts past the deadline, pacing waits included. The
 * breaker sees whole verifications, so one unlucky call with its retries
 * counts once; it and the pacing are shared by every verification.
 */
@Injectable()
export class UpstreamResilience {
  private readonly breaker?: CircuitBreakerPolicy;
  private readonly pacer?: UpstreamPacer;

  constructor(
    private readonly options: ResilienceOptions,
    private readonly clock: Clock,
  ) {
    if (options.circuitBreaker) {
      this.breaker = createCircuitBreaker(options.circuitBreaker);
    }
    if (options.pacing) {
      this.pacer = new UpstreamPacer(options.pacing.callsPerSecond, clock);
    }
  }

  /** The circuit breaker's state. */
  circuitState(): CircuitBreakerState {
    return stateOf(this.breaker);
  }

  /**
   * Runs `call` under the circuit breaker, the pacing and the retry loop.
   * `tally` counts the upstream calls made, also when this throws;
   * `beforeRequest` runs (and is awaited) after the pacing slot, right
   * before each request is made: if it throws, nothing is sent.
   */
  async execute(
    call: () => Promise<PhoneVerificationResult>,
    tally: AttemptTally = { attempts: 0 },
    beforeRequest?: () => void | Promise<void>,
  ): Promise<ResilientOutcome> {
    const withRetries = () => this.withRetries(call, tally, beforeRequest);
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
    call: () => Promise<PhoneVerificationResult>,
    tally: AttemptTally,
    beforeRequest: (() => void | Promise<void>) | undefined,
  ): Promise<PhoneVerificationResult> {
    const { retry } = this.options;
    const deadlineAt = this.clock.now() + retry.deadlineMs;
    let previous: Attempt | undefined;
    for (let attempt = 1; ; attempt++) {
      if (this.pacer && !(await this.pacer.slot(deadlineAt))) {
        if (previous) return unwrap(previous);
        throw new UpstreamUnavailableError('no_pacing_slot');
      }
      await beforeRequest?.();
      tally.attempts++;
      tally.unanswered = true;
      const outcome: Attempt = await inAttempt(attempt - 1, call).then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
      // An error of our own says itself whether it may have billed; any
      // other thrown by the call leaves the request unanswered.
      tally.unanswered =
        'error' in outcome &&
        !(outcome.error instanceof PhoneVerificationError);
      previous = outcome;
      if (
        'error' in outcome &&
        outcome.error instanceof UpstreamRateLimitedError
      ) {
        // AceData's own limit: slow every call down, not only this one.
        this.pacer?.holdFor(
          outcome.error.retryAfterMs ?? DEFAULT_RATE_LIMIT_HOLD_MS,
        );
      }
      if (
        attempt >= retry.maxAttempts ||
        !worthRetrying(outcome, this.options.resultCodes)
      ) {
        return unwrap(outcome);
      }
      const delay = nextRetryDelay(
        retry,
        attempt,
        'error' in outcome ? (outcome.error as Error) : undefined,
      );
      if (delay === undefined || this.clock.now() + delay >= deadlineAt) {
        return unwrap(outcome);
      }
      await this.clock.sleep(delay);
    }
  }
}
