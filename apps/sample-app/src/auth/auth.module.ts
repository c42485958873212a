import {
  PHONE_VERIFICATION_SHARED_STORE,
  type PhoneVerificationSharedStore,
} from '@app/phone-verification';
import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  ThrottlerModule,
  type ThrottlerModuleOptions,
} from '@nestjs/throttler';
import {
  SAMPLE_APP_CONFIG,
  type SampleAppConfig,
} from '../sample-app.config.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { ApiKeys } from './api-keys.js';
import { AuthFailureLimit } from './auth-failure-limit.js';
import { CallerThrottlerGuard } from './caller-throttler.guard.js';
import { FixedWindowThrottlerStorage } from './fixed-window-throttler.storage.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';

/**
 * Who may call, and how often: caller, operator and metrics keys, the rate
 * limits (in Redis on the library's handle when there is one) and the
 * failed-key limit, as guards on every route. Global: the operator
 * controllers name callers through `ApiKeys`.
 */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [SAMPLE_APP_CONFIG, PHONE_VERIFICATION_SHARED_STORE],
      useFactory: (
        config: SampleAppConfig,
        store: PhoneVerificationSharedStore | null,
      ) => throttlerOptions(config, store),
    }),
  ],
  providers: [
    ApiKeys,
    AuthFailureLimit,
    // Throttle first (per authenticated key, else per IP; and per IP), so
    // key guessing is throttled too; then authenticate.
    { provide: APP_GUARD, useClass: CallerThrottlerGuard },
    { provide: APP_GUARD, useClass: ApiKeyGuard },
  ],
  exports: [ApiKeys, AuthFailureLimit],
})
export class AuthModule {}

/**
 * Two limits per minute: per caller key (see CallerThrottlerGuard), named
 * "default" so the answer carries a plain Retry-After header; and per client
 * IP whatever the key. Counted in Redis (the library's handle) when there is
 * one, else in memory.
 */
function throttlerOptions(
  config: SampleAppConfig,
  store: PhoneVerificationSharedStore | null,
): ThrottlerModuleOptions {
  const memoryStorage = new FixedWindowThrottlerStorage();
  return {
    storage: store
      ? new RedisThrottlerStorage(store, memoryStorage)
      : memoryStorage,
    errorMessage: 'Rate limit exceeded for this API key; see Retry-After',
    throttlers: [
      { name: 'default', ttl: 60_000, limit: config.rateLimitPerMinute },
      {
        name: 'per-ip',
        ttl: 60_000,
        limit: config.rateLimitPerIpPerMinute,
        getTracker: (req: Record<string, unknown>) => `ip:${String(req.ip)}`,
      },
    ],
  };
}
