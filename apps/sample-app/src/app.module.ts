import {
  DEFAULT_BASE_URL,
  PhoneVerificationModule,
  type PhoneVerificationModuleOptions,
  type RedisClientLike,
} from '@app/phone-verification';
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { HttpModule } from '@nestjs/axios';
import { ApiKeyGuard } from './auth/api-key.guard.js';
import { ApiKeys } from './auth/api-keys.js';
import { CallerThrottlerGuard } from './auth/caller-throttler.guard.js';
import { FixedWindowThrottlerStorage } from './auth/fixed-window-throttler.storage.js';
import { RedisThrottlerStorage } from './auth/redis-throttler.storage.js';
import { RedisHealthIndicator } from './health/redis.health.js';
import { SharedStoreMetrics } from './metrics/shared-store.metrics.js';
import { AppRedisConnection } from './shared-store/app-redis-connection.js';
import { Check3eController } from './check-3e/check-3e.controller.js';
import { CircuitBreakerHealthIndicator } from './health/circuit-breaker.health.js';
import { HealthController } from './health/health.controller.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { VerificationMetrics } from './metrics/verification-metrics.js';
import type { SampleAppConfig } from './sample-app.config.js';

/** What the module is built from: the validated config, with the upstream resolved. */
export interface AppModuleOptions {
  config: SampleAppConfig;
  acedata: PhoneVerificationModuleOptions;
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
    acedata,
    providers = [],
    redis,
  }: AppModuleOptions): DynamicModule {
    const memoryStorage = new FixedWindowThrottlerStorage();
    const namespace = acedata.redis?.namespace ?? 'phone-verification';
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: [
            () => ({
              apiKeys: [...config.apiKeys],
              acedata,
              upstreamProbeUrl: new URL(acedata.baseUrl ?? DEFAULT_BASE_URL)
                .origin,
              budgetsFailClosed:
                acedata.budget !== undefined &&
                acedata.budget.failOpen !== true,
            }),
          ],
        }),
        PhoneVerificationModule.forRootAsync({
          imports: [MetricsModule],
          inject: [ConfigService, VerificationMetrics],
          useFactory: (
            configService: ConfigService,
            metrics: VerificationMetrics,
          ): PhoneVerificationModuleOptions => ({
            ...configService.getOrThrow<PhoneVerificationModuleOptions>(
              'acedata',
            ),
            onVerification: (event) => metrics.record(event),
          }),
        }),
        MetricsModule,
        ThrottlerModule.forRoot({
          storage: redis
            ? new RedisThrottlerStorage(redis, namespace, memoryStorage)
            : memoryStorage,
          errorMessage: 'Rate limit exceeded for this API key; see Retry-After',
          // Per caller key (see CallerThrottlerGuard). Named "default" so the
          // answer carries a plain Retry-After header.
          throttlers: [
            { name: 'default', ttl: 60_000, limit: config.rateLimitPerMinute },
            {
              name: 'per-ip',
              ttl: 60_000,
              limit: config.rateLimitPerIpPerMinute,
              getTracker: (req: Record<string, unknown>) =>
                `ip:${String(req.ip)}`,
            },
          ],
        }),
        TerminusModule.forRoot({ errorLogStyle: 'json' }),
        HttpModule,
      ],
      controllers: [Check3eController, HealthController],
      providers: [
        ApiKeys,
        // Throttle first (per authenticated key, else per IP; and per IP), so
        // key guessing is throttled too; then authenticate.
        { provide: APP_GUARD, useClass: CallerThrottlerGuard },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        CircuitBreakerHealthIndicator,
        RedisHealthIndicator,
        SharedStoreMetrics,
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
