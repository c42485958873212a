import {
  PhoneVerificationModule,
  type PhoneVerificationModuleOptions,
} from '@app/phone-verification';
import { Module, type DynamicModule } from '@nestjs/common';

/** How the batch paces its calls. */
export interface BatchPace {
  /** Upstream calls per second at most (`--rate`); none when unset. */
  readonly rate?: number;
  /** Calls handed to the library at once (`--concurrency`). */
  readonly concurrency: number;
}

/**
 * The batch verifier's Nest context: the same `PhoneVerificationModule` and
 * options as the sample app (so `REDIS_URL` shares the cache, single flight
 * and budgets with the serving instances, and its retry policy is the
 * batch's), with `--rate` as the library's pacing. A call may wait its turn
 * behind the `concurrency` others, which the pacing is told (`waiting`), so
 * the library grows the call's deadline by that wait.
 */
@Module({})
export class BatchVerifierModule {
  static forRoot(
    options: PhoneVerificationModuleOptions,
    pace: BatchPace,
  ): DynamicModule {
    return {
      module: BatchVerifierModule,
      imports: [
        PhoneVerificationModule.forRoot({
          ...options,
          ...(pace.rate
            ? {
                pacing: {
                  callsPerSecond: pace.rate,
                  waiting: pace.concurrency,
                },
              }
            : {}),
        }),
      ],
    };
  }
}
