import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { CALLER_KEY_ID } from './api-key.guard.js';

/**
 * Throttles per caller key (by the key's digest id the auth guard set), so
 * one noisy client cannot spend another's budget; unauthenticated requests
 * never get this far. Falls back to the client IP.
 */
@Injectable()
export class CallerThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(
    req: Record<string, unknown>,
  ): Promise<string> {
    const keyId = req[CALLER_KEY_ID];
    return typeof keyId === 'string' ? `key:${keyId}` : `ip:${String(req.ip)}`;
  }
}
