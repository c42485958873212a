import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerException } from '@nestjs/throttler';
import type { KeyRole } from './api-keys.js';
import { AuthFailureLimit } from './auth-failure-limit.js';
import { CALLER_ID } from './caller-id.decorator.js';
import { IS_METRICS, IS_OPERATOR_ONLY, IS_PUBLIC } from './public.decorator.js';

/** The request as the guard reads it, on Express or Fastify. */
interface GuardedRequest {
  headers: Record<string, unknown>;
  ip?: string;
  [CALLER_ID]?: string;
}

/**
 * Requires `Authorization: Bearer <key>` with one of `SAMPLE_APP_API_KEYS`,
 * or of `SAMPLE_APP_OPERATOR_KEYS` on the routes marked `@OperatorOnly()`,
 * or of those or `SAMPLE_APP_METRICS_KEYS` on `@MetricsReaders()` (403 for a
 * valid key of another kind).
 * Failed attempts are limited per client IP on every route
 * ({@link AuthFailureLimit}): 401 until the limit, then 429 with
 * `Retry-After`, for any key.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly failures: AuthFailureLimit,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<GuardedRequest>();
    const outcome = await this.failures.authenticate(request);
    if (outcome.kind === 'blocked') {
      this.refuse(http.getResponse(), outcome.retryAfterSeconds);
    }
    if (outcome.kind === 'missing') {
      throw new UnauthorizedException(
        'Missing API key: send Authorization: Bearer <key>',
      );
    }
    if (outcome.kind === 'invalid') {
      throw new UnauthorizedException('Invalid API key');
    }
    // Each key opens its own routes: caller keys verify, operator keys read
    // and erase the ledger (and read the metrics), metrics keys read the
    // metrics only.
    const marked = (key: string) =>
      this.reflector.getAllAndOverride<boolean>(key, [
        context.getHandler(),
        context.getClass(),
      ]) === true;
    const [needs, refusal]: [readonly KeyRole[], string] = marked(IS_METRICS)
      ? [['metrics', 'operator'], 'This route needs a metrics or operator key']
      : marked(IS_OPERATOR_ONLY)
        ? [['operator'], 'This route needs an operator key']
        : [['caller'], 'This route needs a caller key'];
    if (!needs.includes(outcome.role)) throw new ForbiddenException(refusal);
    request[CALLER_ID] = outcome.callerId;
    return true;
  }

  /** 429 with `Retry-After`: too many failed authentications from this address. */
  private refuse(
    response: { header(name: string, value: string): unknown },
    seconds: number,
  ): never {
    response.header('Retry-After', String(seconds));
    throw new ThrottlerException(
      'Too many failed authentications from this address; see Retry-After',
    );
  }
}
