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
 * Answers every error that is not the library's (auth, throttling, routing,
 * body parsing, and anything unexpected) in AceData's error shape. Unknown
 * errors become a bare 500: no stack, no message, nothing internal.
 */
@Catch()
export class AceDataShapedExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const ctx = host.switchToHttp();
    let status: number = HttpStatus.INTERNAL_SERVER_ERROR;
    let message = 'Internal error';
    if (exception instanceof HttpException) {
      status = exception.getStatus();
      // Our own and Nest's HttpException messages are written by code and are
      // safe to return. One wrapping a platform error (body parsing, a bad
      // URL) gets a fixed message: a parser's message can quote the body.
      message =
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
    } else if (isPlatformClientError(exception)) {
      // Fastify's own 4xx errors (bad JSON, body too large) are not HttpExceptions.
      status = exception.statusCode;
      message =
        exception.code === 'FST_ERR_CTP_INVALID_JSON' ||
        exception.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
          ? 'Request body is not valid JSON'
          : (STATUS_CODES[status] ?? 'Bad request');
    } else {
      // Only the error's class: a message could quote request data.
      this.logger.error(
        `unhandled ${exception instanceof Error ? exception.name : typeof exception}`,
      );
    }
    const request = ctx.getRequest<{ headers?: Record<string, unknown> }>();
    const requestId = request?.headers?.['x-request-id'];
    httpAdapter.reply(
      ctx.getResponse(),
      {
        success: false,
        error: {
          code: CODES[status] ?? (status >= 500 ? 'internal_error' : 'error'),
          message,
          // Nothing reached AceData: only the library's errors can be billed.
          may_have_billed: false,
        },
        trace_id:
          typeof requestId === 'string' && requestId ? requestId : randomUUID(),
      },
      status,
    );
  }
}
