// app.module.spec.ts
import { Test } from '@nestjs/testing';
import { FakePhoneVerificationService, PhoneVerificationTestingModule } from '@acedata-kit/nestjs-phone-verification/testing';
import { AppModule } from './app.module.js';
import { KycService } from './kyc.service.js';

describe('AppModule', () => {
  it('runs on the fake, with no token in the environment', async () => {
    const fake = new FakePhoneVerificationService();
    fake.whenPhone('13900000000', { code: 1 });
    const moduleRef = await PhoneVerificationTestingModule.overrideIn(
      Test.createTestingModule({ imports: [AppModule] }),
      fake,
    ).compile();

    expect(await moduleRef.get(KycService).isGenuine('张三', '13900000000', '11010519491231002X')).toBe(false);
    expect(fake.calls).toHaveLength(1);
  });
});
