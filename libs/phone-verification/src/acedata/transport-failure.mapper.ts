import type { PhoneVerificationError } from '../errors/phone-verification.error.js';
import {
  MalformedUpstreamResponseError,
  UpstreamConnectionError,
  UpstreamConnectionLostError,
  UpstreamTimeoutError,
} from '../errors/transport.errors.js';
import { progressOf } from './call-progress.js';

/**
 * Failures that happen before a byte can reach AceData, whatever the request
 * object says: TLS buffers the request before the handshake, so "written"
 * does not mean "sent" for these.
 */
const NEVER_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'EPROTO',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function systemCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code)
    ? code
    : undefined;
}

/**
 * Maps a call that failed without a complete answer to a typed error. Only
 * the system error code is kept: the axios error holds the request config,
 * whose headers carry the token and whose body carries the subject.
 *
 * - timed out (the whole call is bounded): a timeout, billed-maybe once written;
 * - failed after the status line (too large, broken off): may have been billed;
 * - broke after the request was written: may have been billed;
 * - never reached AceData (refused, DNS, TLS, not written): safe to retry.
 */
export function mapTransportFailure(
  error: unknown,
  timeoutMs: number,
  timedOut: boolean,
): PhoneVerificationError {
  const progress = progressOf(error);
  const systemCode = systemCodeOf(error);
  if (timedOut) {
    return new UpstreamTimeoutError(
      timeoutMs,
      progress.written || progress.answeredStatus !== undefined,
    );
  }
  if (progress.answeredStatus !== undefined) {
    return new MalformedUpstreamResponseError(
      progress.answeredStatus,
      'a body that could not be read to its end',
      true,
    );
  }
  if (
    (systemCode !== undefined && NEVER_SENT_CODES.has(systemCode)) ||
    !progress.written
  ) {
    return new UpstreamConnectionError(systemCode);
  }
  return new UpstreamConnectionLostError(systemCode);
}
