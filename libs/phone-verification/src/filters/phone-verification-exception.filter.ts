import { randomUUID } from 'node:crypto';
import {
  Catch,
  HttpStatus,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InvalidInputError } from '../errors/invalid-input.error.js';
import {
  PhoneVerificationError,
  type PhoneVerificationErrorCode,
} from '../errors/phone-verification.error.js';
import { UpstreamRateLimitedError } from '../errors/upstream-api.errors.js';
import { BudgetExhaustedError } from '../errors/budget.errors.js';

/** How each error is answered to the app's own caller. */
interface HttpAnswer {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

const UPSTREAM_REJECTED_CREDENTIALS: HttpAnswer = {
  status: HttpStatus.BAD_GATEWAY,
  code: 'upstream_auth_failed',
  message: 'The verification provider rejected this service’s credentials',
};

const ANSWERS: Readonly<
  Record<Exclude<PhoneVerificationErrorCode, 'invalid_input'>, HttpAnswer>
> = {
  token_mismatched: UPSTREAM_REJECTED_CREDENTIALS,
  api_not_implemented: UPSTREAM_REJECTED_CREDENTIALS,
  invalid_token: UPSTREAM_REJECTED_CREDENTIALS,
  too_many_requests: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    code: 'upstream_rate_limited',
    message: 'The verification provider is rate limiting us; try again later',
  },
  api_error: {
    status: HttpStatus.BAD_GATEWAY,
    code: 'upstream_error',
    message: 'The verification provider failed to answer',
  },
  upstream_http_error: {
    status: HttpStatus.BAD_GATEWAY,
    code: 'upstream_error',
    message: 'The verification provider answered with an unexpected error',
  },
  upstream_malformed_response: {
    status: HttpStatus.BAD_GATEWAY,
    code: 'upstream_bad_response',
    message: 'The verification provider answered with an unreadable response',
  },
  upstream_connection_failed: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    code: 'upstream_unavailable',
    message: 'The verification provider cannot be reached; try again later',
  },
  upstream_connection_lost: {
    status: HttpStatus.BAD_GATEWAY,
    code: 'upstream_connection_lost',
    message:
      'The connection to the verification provider broke after the check was sent; it may have been billed, so do not repeat it blindly',
  },
  upstream_unavailable: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    code: 'upstream_unavailable',
    message:
      'The verification provider is failing; calls are paused, try again later',
  },
  budget_exhausted: {
    status: HttpStatus.TOO_MANY_REQUESTS,
    code: 'budget_exhausted',
    message:
      'The daily verification budget is spent; it resets at midnight China time (see Retry-After)',
  },
  budget_store_unavailable: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    code: 'budget_store_unavailable',
    message:
      'The spend budget cannot be checked right now, so no billed call was made; try again later',
  },
  upstream_timeout: {
    status: HttpStatus.GATEWAY_TIMEOUT,
    code: 'upstream_timeout',
    message:
      'The verification provider did not answer in time; the check may have been billed, so do not repeat it blindly',
  },
};

/** The HTTP answer for a library error: status, public code and message. */
export function httpAnswerFor(error: PhoneVerificationError): HttpAnswer {
  if (error instanceof InvalidInputError) {
    return {
      status: HttpStatus.BAD_REQUEST,
      code: error.code,
      message: error.message,
    };
  }
  return ANSWERS[error.code as keyof typeof ANSWERS];
}

/**
 * Answers the library's errors in AceData's own error shape,
 * `{ success: false, error: { code, message, may_have_billed }, trace_id }`:
 * 400 for bad input
 * (naming the fields), 502 for upstream errors, 503 when the upstream is
 * unreachable or rate limiting (with `Retry-After`), 504 on a timeout.
 * Nothing internal is sent: no stack, no upstream message, no subject data.
 * Works with the Express and the Fastify adapters.
 */
@Catch(PhoneVerificationError)
export class PhoneVerificationExceptionFilter implements ExceptionFilter<PhoneVerificationError> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: PhoneVerificationError, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<{ headers?: Record<string, unknown> }>();
    const response = ctx.getResponse<unknown>();
    const answer = httpAnswerFor(error);
    const requestId = request?.headers?.['x-request-id'];
    const traceId =
      error.traceId ??
      (typeof requestId === 'string' && requestId ? requestId : randomUUID());
    const retryAfterMs =
      error instanceof UpstreamRateLimitedError
        ? error.retryAfterMs
        : error instanceof BudgetExhaustedError
          ? error.resetsAt.getTime() - Date.now()
          : undefined;
    if (retryAfterMs !== undefined) {
      httpAdapter.setHeader(
        response,
        'Retry-After',
        String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
      );
    }
    const body: Record<string, unknown> = {
      success: false,
      error: {
        code: answer.code,
        message: answer.message,
        ...(error instanceof InvalidInputError ? { fields: error.fields } : {}),
        may_have_billed: error.mayHaveBilled,
      },
      trace_id: traceId,
    };
    httpAdapter.reply(response, body, answer.status);
  }
}
