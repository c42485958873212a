import { InvalidPhoneVerificationOptionsError } from '../errors/boot.errors.js';

/**
 * Caps on billed calls per calendar day in China (UTC+8), the day AceData's
 * "-6: try again the next day" counts in. A unit is reserved before each
 * upstream call and given back when the answer was certainly not billed.
 */
export interface BudgetOptions {
  /** Billed calls per day for the whole deployment. */
  maxBilledPerDay?: number;
  /** Billed calls per day for each budget key (`verify(request, { budgetKey })`). */
  perKey?: { maxBilledPerDay: number };
  /**
   * While the shared store is unreachable, let billed calls through uncounted
   * (`true`: a spend risk) instead of refusing them (`false`, the default).
   */
  failOpen?: boolean;
}

/** The budget after validation. */
export interface ResolvedBudgetOptions {
  readonly maxBilledPerDay?: number;
  readonly maxBilledPerDayPerKey?: number;
  readonly failOpen: boolean;
}

function cap(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new InvalidPhoneVerificationOptionsError(
      option,
      'must be a whole number of calls, 0 or more',
    );
  }
  return value;
}

/** Validates `budget`; `false` when none is set. */
export function resolveBudget(
  budget: BudgetOptions | undefined,
): ResolvedBudgetOptions | false {
  if (budget === undefined) return false;
  const global =
    budget.maxBilledPerDay === undefined
      ? undefined
      : cap('budget.maxBilledPerDay', budget.maxBilledPerDay);
  const perKey =
    budget.perKey === undefined
      ? undefined
      : cap('budget.perKey.maxBilledPerDay', budget.perKey.maxBilledPerDay);
  if (global === undefined && perKey === undefined) return false;
  return {
    maxBilledPerDay: global,
    maxBilledPerDayPerKey: perKey,
    failOpen: budget.failOpen === true,
  };
}
