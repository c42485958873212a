import { randomUUID } from 'node:crypto';
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
      // Our own and Nest's HttpException messages are written by code, not
      // copied from the request, so they are safe to return; except a JSON
      // parse error, whose message can quote a piece of the body.
      message =
        status >= 500
          ? 'Internal error'
          : exception.cause instanceof SyntaxError
            ? 'Request body is not valid JSON'
            : exception.message;
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
        },
        trace_id:
          typeof requestId === 'string' && requestId ? requestId : randomUUID(),
      },
      status,
    );
  }
}
