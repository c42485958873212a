import {
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeys } from './api-keys.js';
import { CALLER_ID } from './caller-id.decorator.js';
import { IS_PUBLIC } from './public.decorator.js';

/** Requires `Authorization: Bearer <key>` with one of `SAMPLE_APP_API_KEYS`. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeys,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<{
      headers: Record<string, unknown>;
      [CALLER_ID]?: string;
    }>();
    const outcome = this.keys.authenticate(request);
    if (outcome.kind === 'missing') {
      throw new UnauthorizedException(
        'Missing API key: send Authorization: Bearer <key>',
      );
    }
    if (outcome.kind === 'invalid') {
      throw new UnauthorizedException('Invalid API key');
    }
    request[CALLER_ID] = outcome.callerId;
    return true;
  }
}
