import { HttpStatus } from '@nestjs/common';
import type { PhoneVerificationErrorCode } from './phone-verification.error.js';

/**
 * The HTTP status each error is answered with: 400 for bad input, 429 for a
 * spent budget, 502 for what the upstream answered wrongly, 503 when it
 * cannot be reached, rate limits us or the circuit is open, 504 on a timeout.
 */
export const HTTP_STATUS_OF: Readonly<
  Record<PhoneVerificationErrorCode, HttpStatus>
> = {
  invalid_input: HttpStatus.BAD_REQUEST,
  token_mismatched: HttpStatus.BAD_GATEWAY,
  api_not_implemented: HttpStatus.BAD_GATEWAY,
  invalid_token: HttpStatus.BAD_GATEWAY,
  too_many_requests: HttpStatus.SERVICE_UNAVAILABLE,
  api_error: HttpStatus.BAD_GATEWAY,
  upstream_http_error: HttpStatus.BAD_GATEWAY,
  upstream_malformed_response: HttpStatus.BAD_GATEWAY,
  upstream_connection_failed: HttpStatus.SERVICE_UNAVAILABLE,
  upstream_connection_lost: HttpStatus.BAD_GATEWAY,
  upstream_unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  budget_exhausted: HttpStatus.TOO_MANY_REQUESTS,
  budget_store_unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  upstream_timeout: HttpStatus.GATEWAY_TIMEOUT,
};
