import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

/**
 * The tracker of the per-key throttler: a digest of the bearer key the
 * caller presented (valid or not), so one noisy client cannot spend another's
 * budget and the key itself is never a storage key. Without a key, the IP.
 * It runs before authentication, so guessing keys is throttled too (and the
 * per-IP throttler bounds how many keys one client can try).
 */
export function callerTracker(req: Record<string, unknown>): string {
  const headers = req.headers as Record<string, unknown> | undefined;
  const authorization = headers?.authorization;
  if (typeof authorization === 'string' && authorization.length > 0) {
    return `key:${createHash('sha256').update(authorization).digest('hex').slice(0, 32)}`;
  }
  return `ip:${String(req.ip)}`;
}

/** `@nestjs/throttler`'s guard, tracking callers by key digest (see {@link callerTracker}). */
@Injectable()
export class CallerThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(
    req: Record<string, unknown>,
  ): Promise<string> {
    return callerTracker(req);
  }
}
