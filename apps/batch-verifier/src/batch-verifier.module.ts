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

/** The library's default retry deadline: no attempt starts later than this. */
const DEFAULT_DEADLINE_MS = 30_000;
const MAX_DEADLINE_MS = 600_000;

/**
 * The batch verifier's Nest context: the same `PhoneVerificationModule` and
 * options as the sample app (so `REDIS_URL` shares the cache, single flight
 * and budgets with the serving instances, and its retry policy is the
 * batch's), with `--rate` as the library's pacing. A call may wait its turn
 * behind the `concurrency` others, so the deadline grows by that wait.
 */
@Module({})
export class BatchVerifierModule {
  static forRoot(
    options: PhoneVerificationModuleOptions,
    pace: BatchPace,
  ): DynamicModule {
    const retry = options.retry === false ? { maxAttempts: 1 } : options.retry;
    const queueMs = pace.rate ? (pace.concurrency / pace.rate) * 1000 : 0;
    const deadlineMs = Math.min(
      MAX_DEADLINE_MS,
      Math.ceil((retry?.deadlineMs ?? DEFAULT_DEADLINE_MS) + queueMs),
    );
    return {
      module: BatchVerifierModule,
      imports: [
        PhoneVerificationModule.forRoot({
          ...options,
          retry: { ...retry, deadlineMs },
          ...(pace.rate ? { pacing: { callsPerSecond: pace.rate } } : {}),
        }),
      ],
    };
  }
}
