import {
  PhoneVerificationModule,
  type PhoneVerificationModuleOptions,
} from '@app/phone-verification';
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuthModule } from './auth/auth.module.js';
import { BoardModule } from './board/board.module.js';
import { VerificationModule } from './check-3e/verification.module.js';
import { HealthModule } from './health/health.module.js';
import { LedgerModule } from './ledger/ledger.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { VerificationMetrics } from './metrics/verification-metrics.js';
import { SampleAppConfigModule } from './sample-app-config.module.js';
import type { SampleAppConfig } from './sample-app.config.js';
import { TraceRouteInterceptor } from './tracing/trace-route.interceptor.js';

/** What the module is built from. */
export interface AppModuleOptions {
  /** The validated config (its `acedata`: the library's options, as the app reads them). */
  config: SampleAppConfig;
  /** Extra providers, e.g. the embedded sandbox's lifecycle. */
  providers?: Provider[];
}

/**
 * The sample app: the library (global, built from the options the app read
 * once) and the app's feature modules: verification, auth and limits,
 * health, metrics, the operators' ledger endpoints and board.
 */
@Module({})
export class AppModule {
  static forRoot({ config, providers = [] }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SampleAppConfigModule.forRoot(config),
        ConfigModule.forRoot({ ignoreEnvFile: true }),
        // The library's options as the app read them once (the sandbox's
        // token and URL in sandbox mode); the app adds its metrics. Global:
        // the feature modules and the throttler (the library's Redis handle)
        // take what it exports.
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
        AuthModule,
        VerificationModule,
        HealthModule,
        MetricsModule,
        LedgerModule,
        BoardModule,
      ],
      providers: [
        { provide: APP_INTERCEPTOR, useClass: TraceRouteInterceptor },
        ...providers,
      ],
    };
  }
}
