import { createHash, timingSafeEqual } from 'node:crypto';
import {
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { IS_PUBLIC } from './public.decorator.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Checks `Authorization: Bearer <key>` against `SAMPLE_APP_API_KEYS`. Keys are
 * compared as SHA-256 digests with `timingSafeEqual`, every key every time, so
 * neither a key's content nor its length leaks through timing.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keyDigests: Buffer[];

  constructor(
    private readonly reflector: Reflector,
    config: ConfigService,
  ) {
    this.keyDigests = config.getOrThrow<string[]>('apiKeys').map(digest);
  }

  canActivate(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context
      .switchToHttp()
      .getRequest<
        { headers: Record<string, unknown> } & Record<string, unknown>
      >();
    const header = request.headers.authorization;
    const match =
      typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      throw new UnauthorizedException(
        'Missing API key: send Authorization: Bearer <key>',
      );
    }
    const presented = digest(match[1]);
    let valid = false;
    for (const known of this.keyDigests) {
      valid = timingSafeEqual(presented, known) || valid;
    }
    if (!valid) throw new UnauthorizedException('Invalid API key');
    return true;
  }
}
