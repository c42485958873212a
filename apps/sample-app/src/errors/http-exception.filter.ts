import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import {
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  PhoneVerificationError,
  PhoneVerificationExceptionFilter,
} from '@app/phone-verification';

const CODES: Readonly<Record<number, string>> = {
  400: 'bad_request',
  401: 'invalid_token',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
};

function isJsonParseError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    error instanceof SyntaxError ||
    (typeof code === 'string' &&
      code.startsWith('FST_ERR_CTP_') &&
      code.includes('JSON'))
  );
}

function isPlatformClientError(
  error: unknown,
): error is { statusCode: number; code?: string } {
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  return (
    typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500
  );
}

/**
 * Answers every error in AceData's error shape: the library's through the
 * library's own filter, and the rest (auth, throttling,
 * routing, body parsing, anything unexpected) here. Unknown errors become a
 * bare 500: no stack, no message, nothing internal. The one filter of the
 * app, so there is no registration order to get wrong.
 */
@Catch()
export class AceDataShapedExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  /** The library's own answer to its errors. */
  private readonly library: PhoneVerificationExceptionFilter;

  constructor(private readonly adapterHost: HttpAdapterHost) {
    this.library = new PhoneVerificationExceptionFilter(adapterHost);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof PhoneVerificationError) {
      return this.library.catch(exception, host);
    }
    const { httpAdapter } = this.adapterHost;
    const ctx = host.switchToHttp();
    const response = ctx.getResponse<unknown>();
    const request = ctx.getRequest<{ headers?: Record<string, unknown> }>();
    const requestId = request?.headers?.['x-request-id'];
    const traceId =
      typeof requestId === 'string' && requestId ? requestId : randomUUID();
    const { status, message } = this.answerFor(exception);
    const body = {
      success: false,
      error: {
        code: CODES[status] ?? (status >= 500 ? 'internal_error' : 'error'),
        message,
        // Nothing reached AceData: only the library's errors can be billed.
        may_have_billed: false,
      },
      trace_id: traceId,
    };
    httpAdapter.reply(response, body, status);
  }

  /** The status and a message safe to send for an error not of the library. */
  private answerFor(exception: unknown): { status: number; message: string } {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // Our own and Nest's HttpException messages are written by code and are
      // safe to return. One wrapping a platform error (body parsing, a bad
      // URL) gets a fixed message: a parser's message can quote the body.
      const message =
        status >= 500
          ? 'Internal error'
          : status === HttpStatus.NOT_FOUND
            ? // The router's message quotes the URL, query included.
              'Not found'
            : exception.cause === undefined
              ? exception.message
              : isJsonParseError(exception.cause)
                ? 'Request body is not valid JSON'
                : (STATUS_CODES[status] ?? 'Bad request');
      return { status, message };
    }
    if (isPlatformClientError(exception)) {
      // Fastify's own 4xx errors (bad JSON, body too large) are not HttpExceptions.
      const invalidJson =
        exception.code === 'FST_ERR_CTP_INVALID_JSON' ||
        exception.code === 'FST_ERR_CTP_EMPTY_JSON_BODY';
      return {
        status: exception.statusCode,
        message: invalidJson
          ? 'Request body is not valid JSON'
          : (STATUS_CODES[exception.statusCode] ?? 'Bad request'),
      };
    }
    // Only the error's class: a message could quote request data.
    this.logger.error(
      `unhandled ${exception instanceof Error ? exception.name : typeof exception}`,
    );
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      message: 'Internal error',
    };
  }
}
