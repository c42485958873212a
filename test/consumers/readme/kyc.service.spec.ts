// kyc.service.spec.ts
import { Test } from '@nestjs/testing';
import { UpstreamTimeoutError } from '@acedata-kit/nestjs-phone-verification/errors';
import { FakePhoneVerificationService, PhoneVerificationTestingModule } from '@acedata-kit/nestjs-phone-verification/testing';
import { KycService } from './kyc.service.js';

describe('KycService', () => {
  it('treats a mismatch as not genuine, and lets a timeout through', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [PhoneVerificationTestingModule.forRoot()], // provides PhoneVerificationService
      providers: [KycService],
    }).compile();
    const kyc = moduleRef.get(KycService);
    const fake = moduleRef.get(FakePhoneVerificationService);
    fake.whenPhone('13900000000', { code: 1, detail: 'PhoneNameMismatch' });
    fake.whenPhone('13700000000', new UpstreamTimeoutError(15_000));

    expect(await kyc.isGenuine('张三', '13900000000', '11010519491231002X')).toBe(false);
    await expect(kyc.isGenuine('张三', '13700000000', '11010519491231002X')).rejects.toBeInstanceOf(UpstreamTimeoutError);
    expect(fake.calls[0]).toEqual({ name: '张*', phone: '139****0000', idCard: '110105********002X', verifyMode: 'short' });
  });
});
