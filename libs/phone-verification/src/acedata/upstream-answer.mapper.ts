import type { PhoneVerificationError } from '../errors/phone-verification.error.js';
import {
  ApiNotImplementedError,
  BalanceUsedUpError,
  CredentialsDisabledError,
  NoSuchApiError,
  UpstreamGatewayTimeoutError,
  InvalidTokenError,
  TokenMismatchedError,
  UpstreamHttpError,
  UpstreamRateLimitedError,
  UpstreamServerError,
  type UpstreamErrorDetails,
} from '../errors/upstream-api.errors.js';
import { MalformedUpstreamResponseError } from '../errors/transport.errors.js';
import type { Redactor } from '../privacy/redactor.js';
import type { AceDataWireErrorBody } from './check-3e.wire.js';
import { parseRetryAfter } from './retry-after.js';
import { cleanTraceId, cleanUpstreamText } from './upstream-values.js';

/** The parts of a non-200 answer the mapping needs. */
export interface UpstreamErrorResponse {
  httpStatus: number;
  body: string;
  retryAfter?: string;
  traceIdHeader?: string;
}

function readErrorBody(
  body: string,
): { code?: string; message?: string; traceId?: unknown } | undefined {
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
  const traceId = wire.trace_id;
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

/** The typed error of one of AceData's documented `error.code`s; none for another. */
function errorOfCode(
  code: string | undefined,
  details: UpstreamErrorDetails,
  retryAfterMs: number | undefined,
): PhoneVerificationError | undefined {
  switch (code) {
    case 'token_mismatched':
      return new TokenMismatchedError(details);
    case 'api_not_implemented':
      return new ApiNotImplementedError(details);
    case 'invalid_token':
      return new InvalidTokenError(details);
    case 'too_many_requests':
      return new UpstreamRateLimitedError({ ...details, retryAfterMs });
    case 'api_error':
      return new UpstreamServerError(details);
    case 'used_up':
      return new BalanceUsedUpError(details);
    case 'disabled':
      return new CredentialsDisabledError(details);
    case 'no_api':
      return new NoSuchApiError(details);
    case 'timeout':
      return new UpstreamGatewayTimeoutError(details);
    default:
      return undefined;
  }
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
    traceId:
      cleanTraceId(parsed.traceId, redact) ??
      cleanTraceId(response.traceIdHeader, redact),
    upstreamMessage:
      parsed.message === undefined
        ? undefined
        : cleanUpstreamText(parsed.message, redact),
  };
  // A gateway timeout, whatever its body says: the API behind it may have
  // answered the carrier and billed, so it is never retried.
  if (httpStatus === 504) return new UpstreamGatewayTimeoutError(details);
  const retryAfterMs = parseRetryAfter(response.retryAfter, now);
  const byCode = errorOfCode(parsed.code, details, retryAfterMs);
  if (byCode) return byCode;
  if (httpStatus === 401) return new InvalidTokenError(details);
  if (httpStatus === 429) {
    return new UpstreamRateLimitedError({ ...details, retryAfterMs });
  }
  if (httpStatus >= 500) return new UpstreamServerError(details);
  return new UpstreamHttpError({
    ...details,
    upstreamCode:
      parsed.code === undefined
        ? undefined
        : cleanUpstreamText(parsed.code, redact).slice(0, 64),
  });
}
