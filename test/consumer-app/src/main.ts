// A NestJS app outside the repository, compiled against the packed library:
// proves the package's exports, types and peer dependencies.
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  InvalidInputError,
  PhoneVerificationModule,
  PhoneVerificationService,
  type PhoneVerificationResult,
  type PhoneVerificationStatus,
} from '@acedata-kit/nestjs-phone-verification';
import {
  TEST_ID_CARD,
  TEST_NAME,
  startSandbox,
} from '@acedata-kit/nestjs-phone-verification/testing';

@Injectable()
class KycService {
  constructor(private readonly verification: PhoneVerificationService) {}

  async check(phone: string): Promise<PhoneVerificationStatus> {
    const result: PhoneVerificationResult = await this.verification.verify({
      name: TEST_NAME,
      phone,
      idCard: TEST_ID_CARD,
    });
    return result.status;
  }
}

const sandbox = await startSandbox();

@Module({
  imports: [
    PhoneVerificationModule.forRoot({
      apiToken: sandbox.token,
      baseUrl: sandbox.url,
    }),
  ],
  providers: [KycService],
})
class AppModule {}

const app = await NestFactory.createApplicationContext(AppModule, {
  logger: false,
});
const kyc = app.get(KycService);
const status = await kyc.check('13800000000');
const rejected = await kyc
  .check('12345')
  .catch((error: unknown) => error instanceof InvalidInputError);
process.stdout.write(
  `${JSON.stringify({ status, rejected, calls: sandbox.calls().total })}\n`,
);
await app.close();
await sandbox.close();
