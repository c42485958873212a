import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** Where the auth guard leaves the authenticated caller's id on the request. */
export const CALLER_ID = Symbol('callerId');

/** The authenticated caller's id (an HMAC of its key under the ledger's secret, never the key). */
export const CallerId = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined =>
    context.switchToHttp().getRequest<{ [CALLER_ID]?: string }>()[CALLER_ID],
);
