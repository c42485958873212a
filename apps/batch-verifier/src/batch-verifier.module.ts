import {
  PhoneVerificationModule,
  type PhoneVerificationModuleOptions,
} from '@app/phone-verification';
import { Module, type DynamicModule } from '@nestjs/common';

/**
 * The batch verifier's Nest context: the same `PhoneVerificationModule` and
 * options as the sample app (so `REDIS_URL` shares the cache, single flight
 * and budgets with the serving instances), with the library's retries off:
 * the runner retries itself, inside its rate limit.
 */
@Module({})
export class BatchVerifierModule {
  static forRoot(options: PhoneVerificationModuleOptions): DynamicModule {
    return {
      module: BatchVerifierModule,
      imports: [PhoneVerificationModule.forRoot({ ...options, retry: false })],
    };
  }
}
