import { Logger } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { chinaDay, nextChinaMidnight } from '../china-time.js';
import {
  BudgetExhaustedError,
  BudgetStoreUnavailableError,
} from '../errors/budget.errors.js';
import type { Clock } from '../clock.js';
import { PhoneVerificationError } from '../errors/phone-verification.error.js';
import type { BudgetLedger, BudgetScope } from './budget-ledger.js';
import type { ResolvedBudgetOptions } from './budget.options.js';

/** A unit reserved for one upstream call. */
export interface BudgetReservation {
  /** Gives the unit back: the call was certainly not billed. */
  release(): Promise<void>;
}

/** One budget's use today. */
export interface BudgetUsage {
  /** `global`, or the budget key asked about. */
  readonly budgetKey: string;
  readonly limit: number;
  readonly spent: number;
  readonly remaining: number;
  /** The next midnight in China. */
  readonly resetsAt: Date;
}

/**
 * Daily spend caps, enforced before the call: one unit is reserved in the
 * deployment's budget and the caller's before each upstream call (cache hits
 * and shared answers reserve nothing), kept when the call was billed or may
 * have been, released when it certainly was not. Per-key counters are keyed
 * by an HMAC of the budget key.
 */
export class SpendBudget {
  private readonly logger = new Logger('PhoneVerificationBudget');

  constructor(
    private readonly options: ResolvedBudgetOptions,
    private readonly ledger: BudgetLedger,
    private readonly secret: string,
    private readonly clock: Clock,
  ) {}

  /**
   * Reserves one billed call; throws `BudgetExhaustedError` when a budget is
   * spent, `BudgetStoreUnavailableError` when it cannot be counted (unless
   * `failOpen`).
   */
  async reserve(budgetKey?: string): Promise<BudgetReservation> {
    const now = this.clock.now();
    const day = chinaDay(now);
    const resetsAt = nextChinaMidnight(now);
    const scopes = this.scopes(budgetKey);
    let full: BudgetScope | undefined;
    try {
      full = await this.ledger.reserve(day, scopes, resetsAt + 3_600_000);
    } catch {
      if (this.options.failOpen) return { release: async () => undefined };
      throw new BudgetStoreUnavailableError();
    }
    if (full) {
      throw new BudgetExhaustedError(
        full.id === 'global' ? 'global' : (budgetKey ?? 'global'),
        new Date(resetsAt),
      );
    }
    return {
      release: () =>
        this.ledger.release(day, scopes).catch(() => {
          // Kept reserved: the safe side; it expires with the day.
          this.logger.warn('could not give a budget unit back');
        }),
    };
  }

  /**
   * Runs one upstream call against a reserved unit: the unit is kept when
   * the call was billed or may have been, given back when it certainly was
   * not (`billed(value)` false, or an error that cannot have been billed).
   */
  async spend<T>(
    budgetKey: string | undefined,
    call: () => Promise<T>,
    billed: (value: T) => boolean,
  ): Promise<T> {
    const reservation = await this.reserve(budgetKey);
    let value: T;
    try {
      value = await call();
    } catch (error) {
      if (!(error instanceof PhoneVerificationError && error.mayHaveBilled)) {
        await reservation.release();
      }
      throw error;
    }
    if (!billed(value)) await reservation.release();
    return value;
  }

  /** Today's use of the deployment's budget and, given a key, of its own. */
  async usage(budgetKey?: string): Promise<BudgetUsage[]> {
    const now = this.clock.now();
    const scopes = this.scopes(budgetKey);
    const spent = await this.ledger.spent(chinaDay(now), scopes);
    const resetsAt = new Date(nextChinaMidnight(now));
    return scopes.map((scope, i) => ({
      budgetKey: scope.id === 'global' ? 'global' : (budgetKey ?? ''),
      limit: scope.cap,
      spent: spent[i],
      remaining: Math.max(0, scope.cap - spent[i]),
      resetsAt,
    }));
  }

  private scopes(budgetKey: string | undefined): BudgetScope[] {
    const scopes: BudgetScope[] = [];
    if (this.options.maxBilledPerDay !== undefined) {
      scopes.push({ id: 'global', cap: this.options.maxBilledPerDay });
    }
    if (
      this.options.maxBilledPerDayPerKey !== undefined &&
      budgetKey !== undefined
    ) {
      const digest = createHmac('sha256', this.secret)
        .update(budgetKey)
        .digest('hex')
        .slice(0, 32);
      scopes.push({
        id: `key:${digest}`,
        cap: this.options.maxBilledPerDayPerKey,
      });
    }
    return scopes;
  }
}
