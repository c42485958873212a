import { createHmac } from 'node:crypto';
import { chinaDay, nextChinaMidnight } from '../china-time.js';
import {
  BudgetExhaustedError,
  BudgetStoreUnavailableError,
} from '../errors/budget.errors.js';
import type { Clock } from '../clock.js';
import type {
  BudgetCounterLoss,
  BudgetHold,
  BudgetLedger,
  BudgetScope,
} from './budget-ledger.js';
import type { ResolvedBudgetOptions } from './budget.options.js';

/** A day's counters are kept an hour past its midnight, for late settlements. */
const COUNTERS_OUTLIVE_DAY_MS = 3_600_000;

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
 * have been, released when it certainly was not (the billed call decides,
 * by the settlement rule: `billing/`). Per-key counters are keyed
 * by an HMAC of the budget key.
 */
export class SpendBudget {
  constructor(
    private readonly options: ResolvedBudgetOptions,
    private readonly ledger: BudgetLedger,
    private readonly secret: string,
    private readonly clock: Clock,
  ) {}

  /** True when billed calls are refused while the budget's store is away (`failOpen` not set). */
  failsClosed(): boolean {
    return !this.options.failOpen;
  }

  /**
   * Reserves one billed call; throws `BudgetExhaustedError` when a budget is
   * spent, `BudgetStoreUnavailableError` when it cannot be counted (the
   * ledger counts here instead when the budget fails open).
   */
  async reserve(budgetKey?: string): Promise<BudgetHold> {
    const now = this.clock.now();
    const resetsAt = nextChinaMidnight(now);
    const scopes = this.scopes(budgetKey);
    let outcome;
    try {
      outcome = await this.ledger.reserve(
        chinaDay(now),
        scopes,
        resetsAt + COUNTERS_OUTLIVE_DAY_MS,
      );
    } catch {
      throw new BudgetStoreUnavailableError();
    }
    if ('full' in outcome) {
      throw new BudgetExhaustedError(
        outcome.full.id === 'global' ? 'global' : (budgetKey ?? 'global'),
        new Date(resetsAt),
      );
    }
    return outcome.hold;
  }

  /** How many times a new day's shared counter could not be seeded from the usage ledger (calls refused, or counted loudly with `failOpen`). */
  seedFailures(): number {
    return this.ledger.seedFailures();
  }

  /** The last time a day's shared counter was found missing and re-seeded. */
  lostCounter(): BudgetCounterLoss | undefined {
    return this.ledger.lostCounter();
  }

  /** Today's use of the deployment's budget and, given a key, of its own. */
  async usage(budgetKey?: string): Promise<BudgetUsage[]> {
    const now = this.clock.now();
    const scopes = this.scopes(budgetKey);
    const midnight = nextChinaMidnight(now);
    const spent = await this.ledger.spent(
      chinaDay(now),
      scopes,
      midnight + COUNTERS_OUTLIVE_DAY_MS,
    );
    const resetsAt = new Date(midnight);
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
