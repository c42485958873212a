import { Module, type DynamicModule } from '@nestjs/common';
import type { TestingModuleBuilder } from '@nestjs/testing';
import { phoneVerificationConfig } from '../phone-verification.config.js';
import { PHONE_VERIFICATION_MODULE_OPTIONS } from '../phone-verification.module-definition.js';
import type { PhoneVerificationModuleOptions } from '../phone-verification.options.js';
import { PhoneVerificationService } from '../phone-verification.service.js';
import { FakePhoneVerificationService } from './fake-phone-verification.service.js';

/**
 * Replaces `PhoneVerificationModule` in a consumer's tests: it provides
 * `PhoneVerificationService` as a {@link FakePhoneVerificationService}, with
 * no network and no token. Get the fake to script answers and read calls:
 * `moduleRef.get(FakePhoneVerificationService)`.
 */
/** Options that pass validation and reach nothing: the fake answers instead. */
const UNUSED_OPTIONS: PhoneVerificationModuleOptions = {
  apiToken: 'phone-verification-testing',
};

@Module({})
export class PhoneVerificationTestingModule {
  /**
   * For an app module that imports the real `PhoneVerificationModule`: makes
   * `PhoneVerificationService` the given fake, and gives the module options
   * that need no token or environment (overriding the service alone leaves
   * the options provider in place, which fails without a token).
   *
   * ```ts
   * const fake = new FakePhoneVerificationService();
   * const moduleRef = await PhoneVerificationTestingModule.overrideIn(
   *   Test.createTestingModule({ imports: [AppModule] }),
   *   fake,
   * ).compile();
   * ```
   */
  static overrideIn(
    builder: TestingModuleBuilder,
    fake: FakePhoneVerificationService = new FakePhoneVerificationService(),
  ): TestingModuleBuilder {
    return builder
      .overrideProvider(phoneVerificationConfig.KEY)
      .useValue(UNUSED_OPTIONS)
      .overrideProvider(PHONE_VERIFICATION_MODULE_OPTIONS)
      .useValue(UNUSED_OPTIONS)
      .overrideProvider(PhoneVerificationService)
      .useValue(fake);
  }

  static forRoot(options: { isGlobal?: boolean } = {}): DynamicModule {
    return {
      module: PhoneVerificationTestingModule,
      global: options.isGlobal ?? true,
      providers: [
        FakePhoneVerificationService,
        {
          provide: PhoneVerificationService,
          useExisting: FakePhoneVerificationService,
        },
      ],
      exports: [PhoneVerificationService, FakePhoneVerificationService],
    };
  }
}
