import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { ConfigurablePhoneVerificationModule } from './phone-verification.module-definition.js';
import { phoneVerificationProviders } from './phone-verification.providers.js';
import { PhoneVerificationService } from './phone-verification.service.js';
import {
  SharedRedisCloser,
  sharedRedisProvider,
  sharedStoreProvider,
} from './shared-store/shared-redis.provider.js';
import {
  UsageLedgerCloser,
  usageLedgerProvider,
} from './ledger/usage-ledger.provider.js';
import {
  PHONE_VERIFICATION_LEDGER,
  PHONE_VERIFICATION_SHARED_STORE,
} from './phone-verification.constants.js';

/**
 * Provides {@link PhoneVerificationService}. AceData's calls go through an
 * `HttpService` on an axios instance of the module's own
 * (`HttpModule.register`), never the app's global one: an app-wide
 * interceptor must not see the token or the identity. Register it once with
 * `forRoot(options)` or `forRootAsync(...)`, e.g.
 * `PhoneVerificationModule.forRootAsync(phoneVerificationConfig.asProvider())`.
 */
@Module({
  imports: [HttpModule.register({})],
  providers: [
    ...phoneVerificationProviders,
    sharedRedisProvider,
    sharedStoreProvider,
    SharedRedisCloser,
    usageLedgerProvider,
    UsageLedgerCloser,
    PhoneVerificationService,
  ],
  exports: [
    PhoneVerificationService,
    PHONE_VERIFICATION_LEDGER,
    PHONE_VERIFICATION_SHARED_STORE,
  ],
})
export class PhoneVerificationModule extends ConfigurablePhoneVerificationModule {}
