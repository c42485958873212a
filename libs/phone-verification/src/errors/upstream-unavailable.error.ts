import { PhoneVerificationError } from './phone-verification.error.js';

/**
 * The circuit breaker is open after repeated upstream failures: the call was
 * not sent (nothing billed), and will not be until the cool-down has passed.
 */
export class UpstreamUnavailableError extends PhoneVerificationError {
  readonly code = 'upstream_unavailable' as const;
  constructor() {
    super(
      'AceData is failing repeatedly; calls are paused for a cool-down (not sent, not billed)',
      {
        retryable: true,
        mayHaveBilled: false,
      },
    );
  }
}
