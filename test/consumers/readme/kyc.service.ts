// kyc.service.ts
import { Injectable } from '@nestjs/common';
import { PhoneVerificationService } from '@acedata-kit/nestjs-phone-verification';

@Injectable()
export class KycService {
  constructor(private readonly phoneVerification: PhoneVerificationService) {}

  async isGenuine(name: string, phone: string, idCard: string): Promise<boolean> {
    const result = await this.phoneVerification.verify({ name, phone, idCard });
    return result.status === 'consistent';
  }
}
