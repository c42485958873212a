import {
  CircuitState,
  ConsecutiveBreaker,
  SamplingBreaker,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
  type IBreaker,
} from 'cockatiel';
import { PhoneVerificationError } from '../errors/phone-verification.error.js';
import {
  MalformedUpstreamResponseError,
  UpstreamConnectionLostError,
  UpstreamTimeoutError,
} from '../errors/transport.errors.js';
import { UpstreamUnavailableError } from '../errors/upstream-unavailable.error.js';
import { LedgerUnavailableError } from '../errors/ledger.errors.js';
import type { ResolvedCircuitBreakerOptions } from './circuit-breaker.options.js';

/** The circuit breaker's state, as the readiness check reports it. */
export type CircuitBreakerState =
  'closed' | 'open' | 'half_open' | 'isolated' | 'disabled';

const STATE_NAMES: Readonly<Record<CircuitState, CircuitBreakerState>> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};

/** The readable state of a breaker; `disabled` without one. */
export function stateOf(
  breaker: CircuitBreakerPolicy | undefined,
): CircuitBreakerState {
  return breaker ? STATE_NAMES[breaker.state] : 'disabled';
}

/**
 * What opens the circuit: signs that AceData itself is in trouble. Results,
 * bad input and rejected credentials are not.
 */
export function countsAsUpstreamFailure(error: Error): boolean {
  // Not sent at all (no pacing slot in time, the ledger could not record
  // it): says nothing of AceData.
  if (
    error instanceof UpstreamUnavailableError ||
    error instanceof LedgerUnavailableError
  ) {
    return false;
  }
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

/** cockatiel's circuit breaker (sampling or consecutive) for the options. */
export function createCircuitBreaker(
  options: ResolvedCircuitBreakerOptions,
): CircuitBreakerPolicy {
  return circuitBreaker(handleWhen(countsAsUpstreamFailure), {
    halfOpenAfter: options.cooldownMs,
    breaker: breakerFor(options),
  });
}
