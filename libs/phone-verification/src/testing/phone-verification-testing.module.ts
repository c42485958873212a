import { Module, type DynamicModule } from '@nestjs/common';
import { PhoneVerificationService } from '../phone-verification.service.js';
import { FakePhoneVerificationService } from './fake-phone-verification.service.js';

/**
 * Replaces `PhoneVerificationModule` in a consumer's tests: it provides
 * `PhoneVerificationService` as a {@link FakePhoneVerificationService}, with
 * no network and no token. Get the fake to script answers and read calls:
 * `moduleRef.get(FakePhoneVerificationService)`.
 */
@Module({})
export class PhoneVerificationTestingModule {
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
