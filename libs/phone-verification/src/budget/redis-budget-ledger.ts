import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { SharedRedis } from '../shared-store/shared-redis.js';
import type {
  BudgetCounterLoss,
  BudgetLedger,
  BudgetReservationOutcome,
  BudgetScope,
} from './budget-ledger.js';
import { BudgetHoldsHere } from './budget-holds-here.js';
import { SharedBudgetCounter, UNSEEDED } from './shared-budget-counter.js';

/**
 * Budget counters in the shared Redis ({@link SharedBudgetCounter}: the
 * day's generation and the last count seen per scope, so a counter that
 * vanished is noticed and re-seeded instead of starting from zero), with
 * what a replica must remember to survive Redis's faults
 * ({@link BudgetHoldsHere}): reservations counted here while Redis was away
 * (`failOpen`), and those whose outcome in Redis is unknown.
 *
 * Fail closed (the default), it throws while Redis is not up: no billed call
 * is made that cannot be counted.
 */
export class RedisBudgetLedger implements BudgetLedger {
  private readonly logger = new Logger('PhoneVerificationBudget');
  private readonly counter: SharedBudgetCounter;
  private readonly here: BudgetHoldsHere;
  /** The expiry the day's hash was last given (a seed keeps it). */
  private expiresAt = 0;
  /** Seeds that could not read the usage ledger (the budget failed closed, or open loudly). */
  private failedSeeds = 0;

  constructor(
    private readonly redis: SharedRedis,
    private readonly failOpen: boolean,
    /**
     * The day's billed and may-have-billed calls from the usage ledger:
     * when the day's hash is (re-)created, the deployment-wide count is
     * raised to it, so a counter lost to Redis (or never seen by this
     * replica) does not start from zero.
     */
    private readonly seed?: (day: string) => Promise<number>,
  ) {
    this.counter = new SharedBudgetCounter(redis, seed !== undefined);
    this.here = new BudgetHoldsHere(this.counter, this.logger);
    redis.availability.onRecovered(() => void this.here.catchUp());
  }

  async reserve(
    day: string,
    scopes: readonly BudgetScope[],
    expiresAt: number,
  ): Promise<BudgetReservationOutcome> {
    this.counter.roll(day);
    this.expiresAt = expiresAt;
    const reservation = { day, scopes, expiresAt, id: randomUUID() };
    if (this.redis.availability.isUp()) {
      try {
        let full = await this.counter.apply('reserve', reservation);
        if (full === UNSEEDED) {
          // A new (or lost) day's hash: from the usage ledger's count first.
          await this.seedFromLedger(day, scopes);
          full = await this.counter.apply('reserve', reservation);
        }
        if (full === UNSEEDED) throw new Error('budget counter not seeded');
        if (full > 0) return { full: scopes[full - 1] };
        return { hold: this.here.sharedHold(reservation) };
      } catch {
        // The script may still run once Redis answers: settle it then.
        if (!this.failOpen) this.here.remember(reservation, 'released');
      }
    }
    if (!this.failOpen) throw new Error('budget store unavailable');
    return this.here.reserve(reservation);
  }

  async spent(
    day: string,
    scopes: readonly BudgetScope[],
    expiresAt: number,
  ): Promise<number[]> {
    this.counter.roll(day);
    this.expiresAt = expiresAt;
    return this.counter.read(day, scopes, expiresAt);
  }

  lostCounter(): BudgetCounterLoss | undefined {
    return this.counter.lostCounter();
  }

  seedFailures(): number {
    return this.failedSeeds;
  }

  /**
   * Raises an unseeded day's deployment-wide count to the usage ledger's
   * count of billed-maybe calls, and marks it seeded. When the ledger cannot
   * be read: fail closed (throws: no call is counted from zero), or, with
   * `failOpen`, log it, count it, and seed from what this replica saw.
   */
  private async seedFromLedger(
    day: string,
    scopes: readonly BudgetScope[],
  ): Promise<void> {
    let recorded = this.counter.seenCount('global');
    try {
      // A replica without a ledger (beside ones with it) seeds from what it saw.
      if (this.seed) recorded = await this.seed(day);
    } catch (error) {
      this.failedSeeds += 1;
      if (!this.failOpen) {
        this.logger.error(
          `The budget counter of ${day} is new to Redis and the usage ledger cannot be read to seed it: billed calls are refused until it can (the budget fails closed)`,
        );
        throw error;
      }
      this.logger.error(
        `The budget counter of ${day} is new to Redis and the usage ledger cannot be read to seed it: counting from what this replica saw (failOpen), which may let the day overspend`,
      );
    }
    await this.counter.seed(day, scopes, this.expiresAt, recorded);
  }
}
