import { isAxiosError } from 'axios';
import type { PhoneVerificationError } from '../errors/phone-verification.error.js';
import {
  ApiNotImplementedError,
  InvalidTokenError,
  TokenMismatchedError,
  UpstreamHttpError,
  UpstreamRateLimitedError,
  UpstreamServerError,
  type UpstreamErrorDetails,
} from '../errors/upstream-api.errors.js';
import {
  MalformedUpstreamResponseError,
  UpstreamConnectionError,
  UpstreamConnectionLostError,
  UpstreamTimeoutError,
} from '../errors/transport.errors.js';
import type { Redactor } from '../privacy/redactor.js';
import type { AceDataWireErrorBody } from './check-3e.wire.js';
import { parseRetryAfter } from './retry-after.js';

/** The parts of a non-200 answer the mapping needs. */
export interface UpstreamErrorResponse {
  httpStatus: number;
  body: string;
  retryAfter?: string;
  traceIdHeader?: string;
}

function readErrorBody(
  body: string,
): { code?: string; message?: string; traceId?: string } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return undefined;
  }
  const wire = parsed as AceDataWireErrorBody;
  const traceId = typeof wire.trace_id === 'string' ? wire.trace_id : undefined;
  if (typeof wire.error === 'string') {
    // A bare string is a code when it looks like one, otherwise a message.
    return /^[a-z][a-z0-9_]*$/.test(wire.error)
      ? { code: wire.error, traceId }
      : { message: wire.error, traceId };
  }
  const error =
    typeof wire.error === 'object' && wire.error !== null ? wire.error : {};
  return {
    code: typeof error.code === 'string' ? error.code : undefined,
    message: typeof error.message === 'string' ? error.message : undefined,
    traceId,
  };
}

/**
 * Maps a non-200 answer to the typed error for it: first by the documented
 * `error.code`, then by status. A body that is not JSON (a gateway's HTML
 * page) is a malformed response. The upstream message is redacted.
 */
export function mapUpstreamError(
  response: UpstreamErrorResponse,
  redact: Redactor,
  now: number = Date.now(),
): PhoneVerificationError {
  const { httpStatus } = response;
  const parsed = readErrorBody(response.body);
  if (parsed === undefined) {
    return new MalformedUpstreamResponseError(
      httpStatus,
      'a body that is not a JSON error',
    );
  }
  const details: UpstreamErrorDetails = {
    httpStatus,
    traceId: parsed.traceId ?? response.traceIdHeader,
    upstreamMessage:
      parsed.message === undefined ? undefined : redact(parsed.message),
  };
  switch (parsed.code) {
    case 'token_mismatched':
      return new TokenMismatchedError(details);
    case 'api_not_implemented':
      return new ApiNotImplementedError(details);
    case 'invalid_token':
      return new InvalidTokenError(details);
    case 'too_many_requests':
      return new UpstreamRateLimitedError({
        ...details,
        retryAfterMs: parseRetryAfter(response.retryAfter, now),
      });
    case 'api_error':
      return new UpstreamServerError(details);
  }
  if (httpStatus === 401) return new InvalidTokenError(details);
  if (httpStatus === 429) {
    return new UpstreamRateLimitedError({
      ...details,
      retryAfterMs: parseRetryAfter(response.retryAfter, now),
    });
  }
  if (httpStatus >= 500) return new UpstreamServerError(details);
  return new UpstreamHttpError({
    ...details,
    upstreamCode: parsed.code === undefined ? undefined : redact(parsed.code),
  });
}

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

/**
 * How far one call got before it failed, read off the error's `request`:
 * Node's `ClientRequest`, or the same fields from `UndiciAxiosAdapter`.
 */
export interface CallProgress {
  /** The request (headers and body) was handed to the socket in full. */
  written: boolean;
  /** The status of the answer, once its status line arrived. */
  answeredStatus?: number;
}

/** Reads {@link CallProgress} off an axios error. */
export function progressOf(error: unknown): CallProgress {
  if (!isAxiosError(error)) return { written: true };
  const request = error.request as
    { writableFinished?: boolean; res?: { statusCode?: number } } | undefined;
  const answeredStatus = error.response?.status ?? request?.res?.statusCode;
  return {
    // Unknown progress counts as written: the safe side for money.
    written: request?.writableFinished ?? true,
    answeredStatus,
  };
}

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
