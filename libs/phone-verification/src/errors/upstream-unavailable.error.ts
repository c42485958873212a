import { PhoneVerificationError } from './phone-verification.error.js';

/** Why a call was not sent. */
export type UnavailableReason = 'circuit_open' | 'no_pacing_slot';

const MESSAGES: Readonly<Record<UnavailableReason, string>> = {
  circuit_open:
    'AceData is failing repeatedly; calls are paused for a cool-down (not sent, not billed)',
  no_pacing_slot:
    'No upstream call slot within the deadline at the configured pacing (not sent, not billed)',
};

/**
 * The call was not sent (nothing billed): the circuit breaker is open after
 * repeated upstream failures and will not send until the cool-down has
 * passed, or the pacing had no slot for it before its deadline.
 */
export class UpstreamUnavailableError extends PhoneVerificationError {
  readonly code = 'upstream_unavailable' as const;
  constructor(readonly reason: UnavailableReason = 'circuit_open') {
    super(MESSAGES[reason], {
      retryable: true,
      mayHaveBilled: false,
    });
  }
}
