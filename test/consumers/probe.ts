// Copied into each consumer app (a Nest 11 CommonJS one and a Nest 12 ESM one)
// and compiled against the packed library: proves the package's build for that
// module system, its types and its peer dependencies. No top-level await, so
// the same file compiles to both.
import { HttpModule, HttpService } from '@nestjs/axios';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import axios from 'axios';
import { firstValueFrom } from 'rxjs';
import {
  InvalidInputError,
  PhoneVerificationError,
  PhoneVerificationModule,
  PhoneVerificationService,
  type PhoneVerificationResult,
  type PhoneVerificationStatus,
} from '@acedata-kit/nestjs-phone-verification';
import { UpstreamTimeoutError } from '@acedata-kit/nestjs-phone-verification/errors';
import {
  TEST_ID_CARD,
  TEST_NAME,
  startSandbox,
} from '@acedata-kit/nestjs-phone-verification/testing';
import { validateMobile } from '@acedata-kit/nestjs-phone-verification/validation';
import { RESULT_CODES } from '@acedata-kit/nestjs-phone-verification/wire';

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

async function main(): Promise<void> {
  const sandbox = await startSandbox();

  // An app-wide habit: logging every outbound call on the global axios
  // instance. It must see the app's own calls, and nothing of AceData's.
  const seenByGlobalInterceptors: string[] = [];
  axios.interceptors.request.use((config) => {
    seenByGlobalInterceptors.push(
      JSON.stringify([config.url, config.headers, config.data]),
    );
    return config;
  });
  axios.interceptors.response.use((response) => {
    seenByGlobalInterceptors.push(
      JSON.stringify([
        response.config.url,
        response.config.data,
        response.data,
      ]),
    );
    return response;
  });

  @Module({
    imports: [
      PhoneVerificationModule.forRoot({
        apiToken: sandbox.token,
        baseUrl: sandbox.url,
      }),
    ],
    providers: [KycService],
  })
  class KycModule {}

  @Module({ imports: [KycModule, HttpModule] })
  class AppModule {}

  const app = await NestFactory.createApplicationContext(AppModule, {
    logger: false,
  });
  const kyc = app.get(KycService);
  const status = await kyc.check('13800000000');
  const rejected = await kyc
    .check('12345')
    .catch((error: unknown) => error instanceof InvalidInputError);
  // The app's own outbound call, through the app's HttpService.
  await firstValueFrom(
    app.get(HttpService).get(`${sandbox.url}/__sandbox/calls`),
  );
  // The subpath entries load in this module system, and are the same classes.
  const entries = {
    errors: new UpstreamTimeoutError(1) instanceof PhoneVerificationError,
    validation: validateMobile('12345').valid,
    wire: RESULT_CODES.size > 0,
  };
  const secrets = [sandbox.token, TEST_NAME, TEST_ID_CARD, '13800000000'];
  const interceptors = {
    sawOwnCall: seenByGlobalInterceptors.some((s) => s.includes('/__sandbox/')),
    // (The sandbox's call log, the app's own call, lists phones: left out.)
    sawAceDataCall: seenByGlobalInterceptors
      .filter((s) => !s.includes('/__sandbox/'))
      .some(
        (s) => s.includes('check-3e') || secrets.some((x) => s.includes(x)),
      ),
  };
  process.stdout.write(
    `${JSON.stringify({ status, rejected, calls: sandbox.calls().total, interceptors, entries })}\n`,
  );
  await app.close();
  await sandbox.close();
}

void main();
