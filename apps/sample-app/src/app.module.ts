import {
  PHONE_VERIFICATION_SHARED_STORE,
  PhoneVerificationModule,
  type PhoneVerificationModuleOptions,
  type PhoneVerificationSharedStore,
} from '@app/phone-verification';
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import {
  ThrottlerModule,
  type ThrottlerModuleOptions,
} from '@nestjs/throttler';
import { HttpModule } from '@nestjs/axios';
import { ApiKeyGuard } from './auth/api-key.guard.js';
import { ApiKeys } from './auth/api-keys.js';
import { AuthFailureLimit } from './auth/auth-failure-limit.js';
import { CallerThrottlerGuard } from './auth/caller-throttler.guard.js';
import { FixedWindowThrottlerStorage } from './auth/fixed-window-throttler.storage.js';
import { RedisThrottlerStorage } from './auth/redis-throttler.storage.js';
import { RedisHealthIndicator } from './health/redis.health.js';
import { LedgerHealthIndicator } from './health/ledger.health.js';
import { LedgerMetrics } from './metrics/ledger.metrics.js';
import { CircuitBreakerMetrics } from './metrics/circuit-breaker.metrics.js';
import { BoardController } from './board/board.controller.js';
import { BoardDataController } from './board/board-data.controller.js';
import { UpstreamReachability } from './health/upstream-reachability.js';
import { SharedStoreMetrics } from './metrics/shared-store.metrics.js';
import { Check3eController } from './check-3e/check-3e.controller.js';
import { LedgerController } from './ledger/ledger.controller.js';
import { CircuitBreakerHealthIndicator } from './health/circuit-breaker.health.js';
import { HealthController } from './health/health.controller.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { VerificationMetrics } from './metrics/verification-metrics.js';
import {
  SAMPLE_APP_CONFIG,
  type SampleAppConfig,
} from './sample-app.config.js';
import { TraceRouteInterceptor } from './tracing/trace-route.interceptor.js';

/** What the module is built from. */
export interface AppModuleOptions {
  /** The validated config (its `acedata`: the library's options, as the app reads them). */
  config: SampleAppConfig;
  /** Extra providers, e.g. the embedded sandbox's lifecycle. */
  providers?: Provider[];
}

/** The sample app: the library behind an authenticated, throttled controller. */
@Module({})
export class AppModule {
  static forRoot({ config, providers = [] }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // The library's options as the app read them once (its variables
        // through its own reader; the sandbox's token and URL in sandbox
        // mode); the app adds its metrics. Global: the throttler takes the
        // library's Redis handle.
        ConfigModule.forRoot({ ignoreEnvFile: true }),
        PhoneVerificationModule.forRootAsync({
          isGlobal: true,
          imports: [MetricsModule],
          inject: [VerificationMetrics],
          useFactory: (
            metrics: VerificationMetrics,
          ): PhoneVerificationModuleOptions => ({
            ...config.acedata,
            onVerification: (event) => metrics.record(event),
          }),
        }),
        MetricsModule,
        ThrottlerModule.forRootAsync({
          inject: [PHONE_VERIFICATION_SHARED_STORE],
          useFactory: (store: PhoneVerificationSharedStore | null) =>
            throttlerOptions(config, store),
        }),
        TerminusModule.forRoot({ errorLogStyle: 'json' }),
        HttpModule,
      ],
      controllers: [
        Check3eController,
        HealthController,
        LedgerController,
        BoardController,
        BoardDataController,
      ],
      providers: [
        { provide: SAMPLE_APP_CONFIG, useValue: config },
        ApiKeys,
        AuthFailureLimit,
        // Throttle first (per authenticated key, else per IP; and per IP), so
        // key guessing is throttled too; then authenticate.
        { provide: APP_GUARD, useClass: CallerThrottlerGuard },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_INTERCEPTOR, useClass: TraceRouteInterceptor },
        CircuitBreakerHealthIndicator,
        RedisHealthIndicator,
        LedgerHealthIndicator,
        UpstreamReachability,
        SharedStoreMetrics,
        LedgerMetrics,
        CircuitBreakerMetrics,
        ...providers,
      ],
    };
  }
}

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
