import {
  MAX_RETRY_DEADLINE_MS,
  PhoneVerificationModule,
  resolveRetry,
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
 * behind the `concurrency` others, so the deadline grows by that wait.
 */
@Module({})
export class BatchVerifierModule {
  static forRoot(
    options: PhoneVerificationModuleOptions,
    pace: BatchPace,
  ): DynamicModule {
    // The library's own rule (its defaults; `false` is one attempt).
    const retry = resolveRetry(options.retry);
    const queueMs = pace.rate ? (pace.concurrency / pace.rate) * 1000 : 0;
    const deadlineMs = Math.min(
      MAX_RETRY_DEADLINE_MS,
      Math.ceil(retry.deadlineMs + queueMs),
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
