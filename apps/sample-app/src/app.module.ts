import {
  PhoneVerificationModule,
  type PhoneVerificationModuleOptions,
  type RedisClientLike,
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
import { AppRedisConnection } from './shared-store/app-redis-connection.js';
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
  /** The Redis connection shared by the library and the throttler, when REDIS_URL is set. */
  redis?: RedisClientLike;
}

/** The sample app: the library behind an authenticated, throttled controller. */
@Module({})
export class AppModule {
  static forRoot({
    config,
    providers = [],
    redis,
  }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // The library's options as the app read them once (its variables
        // through its own reader; the sandbox's token and URL in sandbox
        // mode, the shared Redis connection); the app adds its metrics.
        ConfigModule.forRoot({ ignoreEnvFile: true }),
        PhoneVerificationModule.forRootAsync({
          imports: [MetricsModule],
          inject: [VerificationMetrics],
          useFactory: (
            metrics: VerificationMetrics,
          ): PhoneVerificationModuleOptions => ({
            // (`redis` already holds the app's shared connection.)
            ...config.acedata,
            onVerification: (event) => metrics.record(event),
          }),
        }),
        MetricsModule,
        ThrottlerModule.forRoot(throttlerOptions(config, redis)),
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
        ...(redis
          ? [
              {
                provide: AppRedisConnection,
                useValue: new AppRedisConnection(redis),
              },
            ]
          : []),
        ...providers,
      ],
    };
  }
}

/**
 * Two limits per minute: per caller key (see CallerThrottlerGuard), named
 * "default" so the answer carries a plain Retry-After header; and per client
 * IP whatever the key. Counted in Redis when there is one, else in memory.
 */
function throttlerOptions(
  config: SampleAppConfig,
  redis: RedisClientLike | undefined,
): ThrottlerModuleOptions {
  const memoryStorage = new FixedWindowThrottlerStorage();
  const namespace = config.acedata.redis?.namespace ?? 'phone-verification';
  return {
    storage: redis
      ? new RedisThrottlerStorage(redis, namespace, memoryStorage)
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
