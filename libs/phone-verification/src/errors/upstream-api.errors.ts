import { PhoneVerificationError } from './phone-verification.error.js';

/** What the upstream said in an error body, already scrubbed of subject data. */
export interface UpstreamErrorDetails {
  httpStatus: number;
  traceId?: string;
  /** The upstream's own message (redacted), for diagnosis. */
  upstreamMessage?: string;
}

/** Base of the errors that the AceData API answered with a non-200 status. */
export abstract class UpstreamApiError extends PhoneVerificationError {
  declare readonly httpStatus: number;
  /** The upstream's own message (redacted), for diagnosis. */
  readonly upstreamMessage?: string;

  protected constructor(
    message: string,
    details: UpstreamErrorDetails,
    flags: { retryable: boolean; mayHaveBilled?: boolean },
  ) {
    super(message, {
      httpStatus: details.httpStatus,
      traceId: details.traceId,
      retryable: flags.retryable,
      mayHaveBilled: flags.mayHaveBilled ?? false,
    });
    this.upstreamMessage = details.upstreamMessage;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), upstreamMessage: this.upstreamMessage };
  }
}

/** 400 `token_mismatched`: the configured token is not for this API. */
export class TokenMismatchedError extends UpstreamApiError {
  readonly code = 'token_mismatched' as const;
  constructor(details: UpstreamErrorDetails) {
    super('AceData rejected the API token: it is not for this API', details, {
      retryable: false,
    });
  }
}

/** 400 `api_not_implemented`: the API is not enabled for the configured token. */
export class ApiNotImplementedError extends UpstreamApiError {
  readonly code = 'api_not_implemented' as const;
  constructor(details: UpstreamErrorDetails) {
    super(
      'AceData says this API is not available for the configured token',
      details,
      {
        retryable: false,
      },
    );
  }
}

/** 401 `invalid_token`: the configured token is missing or invalid. */
export class InvalidTokenError extends UpstreamApiError {
  readonly code = 'invalid_token' as const;
  constructor(details: UpstreamErrorDetails) {
    super('AceData rejected the API token as missing or invalid', details, {
      retryable: false,
    });
  }
}

/** 429 `too_many_requests`: AceData's rate limit; nothing was billed. */
export class UpstreamRateLimitedError extends UpstreamApiError {
  readonly code = 'too_many_requests' as const;
  /** How long AceData asked us to wait (from `Retry-After`), if it said. */
  readonly retryAfterMs?: number;
  constructor(details: UpstreamErrorDetails & { retryAfterMs?: number }) {
    super('AceData rate limit exceeded', details, { retryable: true });
    this.retryAfterMs = details.retryAfterMs;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), retryAfterMs: this.retryAfterMs };
  }
}

/** 5xx `api_error`: an internal error upstream; nothing was billed. */
export class UpstreamServerError extends UpstreamApiError {
  readonly code = 'api_error' as const;
  constructor(details: UpstreamErrorDetails) {
    super(
      `AceData answered with an internal error (HTTP ${details.httpStatus})`,
      details,
      {
        retryable: true,
      },
    );
  }
}

/**
 * 403 `used_up`: AceData's gateway says the account's balance is spent.
 * Every call fails until it is topped up; nothing was billed.
 */
export class BalanceUsedUpError extends UpstreamApiError {
  readonly code = 'used_up' as const;
  constructor(details: UpstreamErrorDetails) {
    super(
      'AceData says the account balance is used up: every verification fails until it is topped up',
      details,
      { retryable: false },
    );
  }
}

/** 403 `disabled`: AceData's gateway says the key or application is disabled. */
export class CredentialsDisabledError extends UpstreamApiError {
  readonly code = 'disabled' as const;
  constructor(details: UpstreamErrorDetails) {
    super('AceData says the API key or its application is disabled', details, {
      retryable: false,
    });
  }
}

/** 404 `no_api`: AceData's gateway knows no such API (a wrong base URL or path). */
export class NoSuchApiError extends UpstreamApiError {
  readonly code = 'no_api' as const;
  constructor(details: UpstreamErrorDetails) {
    super('AceData says there is no such API: check the base URL', details, {
      retryable: false,
    });
  }
}

/**
 * 504 `timeout`: AceData's gateway gave up waiting for the API behind it,
 * which may still have answered the carrier and billed: never retried.
 */
export class UpstreamGatewayTimeoutError extends UpstreamApiError {
  readonly code = 'gateway_timeout' as const;
  constructor(details: UpstreamErrorDetails) {
    super(
      'AceData’s gateway timed out waiting for the API; the call may have been billed, so it was not retried',
      details,
      { retryable: false, mayHaveBilled: true },
    );
  }
}

/** Any other non-200 answer with an error body we do not know. */
export class UpstreamHttpError extends UpstreamApiError {
  readonly code = 'upstream_http_error' as const;
  /** The upstream's error code string, when it sent one. */
  readonly upstreamCode?: string;
  constructor(details: UpstreamErrorDetails & { upstreamCode?: string }) {
    super(`AceData answered HTTP ${details.httpStatus}`, details, {
      retryable: details.httpStatus >= 500,
    });
    this.upstreamCode = details.upstreamCode;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), upstreamCode: this.upstreamCode };
  }
}
