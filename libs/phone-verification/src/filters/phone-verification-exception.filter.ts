import { randomUUID } from 'node:crypto';
import {
  Catch,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { PhoneVerificationError } from '../errors/phone-verification.error.js';
import { httpAnswerFor } from './http-answer.js';

/**
 * Answers the library's errors in AceData's own error shape,
 * `{ success: false, error: { code, message, may_have_billed }, trace_id }`,
 * as {@link httpAnswerFor} says, with `Retry-After` when waiting helps.
 * Nothing internal is sent: no stack, no upstream message, no subject data.
 * The trace id is AceData's, else the request's `x-request-id`, else a
 * fresh UUID. Works with the Express and the Fastify adapters.
 */
@Catch(PhoneVerificationError)
export class PhoneVerificationExceptionFilter implements ExceptionFilter<PhoneVerificationError> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: PhoneVerificationError, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<{ headers?: Record<string, unknown> }>();
    const response = ctx.getResponse<unknown>();
    const requestId = request?.headers?.['x-request-id'];
    const answer = httpAnswerFor(
      error,
      typeof requestId === 'string' && requestId ? requestId : randomUUID(),
    );
    if (answer.retryAfterSeconds !== undefined) {
      httpAdapter.setHeader(
        response,
        'Retry-After',
        String(answer.retryAfterSeconds),
      );
    }
    httpAdapter.reply(response, answer.body, answer.status);
  }
}
