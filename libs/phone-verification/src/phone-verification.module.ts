import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { AceDataClient } from './acedata/acedata.client.js';
import {
  PHONE_VERIFICATION_CLOCK,
  PHONE_VERIFICATION_RESOLVED_OPTIONS,
} from './phone-verification.constants.js';
import { systemClock } from './resilience/clock.js';
import { UpstreamResilience } from './resilience/upstream-resilience.js';
import {
  SharedRedisCloser,
  sharedRedisProvider,
} from './shared-store/shared-redis.provider.js';
import {
  ConfigurablePhoneVerificationModule,
  PHONE_VERIFICATION_MODULE_OPTIONS,
} from './phone-verification.module-definition.js';
import {
  resolvePhoneVerificationOptions,
  type PhoneVerificationModuleOptions,
} from './phone-verification.options.js';
import { PhoneVerificationService } from './phone-verification.service.js';

/**
 * Provides {@link PhoneVerificationService}. Register it once with
 * `forRoot(options)` or `forRootAsync(...)`, e.g.
 * `PhoneVerificationModule.forRootAsync(phoneVerificationConfig.asProvider())`.
 */
@Module({
  imports: [HttpModule],
  providers: [
    {
      provide: PHONE_VERIFICATION_RESOLVED_OPTIONS,
      useFactory: (options: PhoneVerificationModuleOptions) =>
        resolvePhoneVerificationOptions(options),
      inject: [PHONE_VERIFICATION_MODULE_OPTIONS],
    },
    { provide: PHONE_VERIFICATION_CLOCK, useValue: systemClock },
    sharedRedisProvider,
    SharedRedisCloser,
    AceDataClient,
    UpstreamResilience,
    PhoneVerificationService,
  ],
  exports: [PhoneVerificationService],
})
export class PhoneVerificationModule extends ConfigurablePhoneVerificationModule {}
