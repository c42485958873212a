import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { ApiKeys } from './api-keys.js';

/**
 * `@nestjs/throttler`'s guard, tracking the authenticated caller: a valid key
 * (after the same normalisation the auth guard applies, so respelling
 * `Bearer` cannot buy a fresh budget) by its digest; anything else, missing
 * or invalid keys included, by the client IP. It runs before authentication,
 * so guessing keys is throttled too, and a flood of distinct invalid keys
 * creates no record per key.
 */
@Injectable()
export class CallerThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly keys: ApiKeys,
  ) {
    super(options, storage, reflector);
  }

  protected override async getTracker(
    req: Record<string, unknown>,
  ): Promise<string> {
    const outcome = this.keys.authenticate(
      req as { headers?: Record<string, unknown> },
    );
    return outcome.kind === 'valid'
      ? `key:${outcome.callerId}`
      : `ip:${String(req.ip)}`;
  }
}
