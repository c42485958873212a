import { PhoneVerificationError } from './phone-verification.error.js';

/**
 * A spend budget is used up for today (China time): the call was refused
 * before it was sent, so nothing was billed. Not retryable before `resetsAt`.
 */
export class BudgetExhaustedError extends PhoneVerificationError {
  readonly code = 'budget_exhausted' as const;
  /** Which budget: `global`, or the budget key given to `verify()`. */
  readonly budgetKey: string;
  /** When the budget starts again: the next midnight in China. */
  readonly resetsAt: Date;
  constructor(budgetKey: string, resetsAt: Date) {
    super(
      `The ${budgetKey === 'global' ? 'daily' : 'per-key daily'} verification budget is spent; it resets at ${resetsAt.toISOString()}`,
      { retryable: false, mayHaveBilled: false },
    );
    this.budgetKey = budgetKey;
    this.resetsAt = resetsAt;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      budgetKey: this.budgetKey,
      resetsAt: this.resetsAt.toISOString(),
    };
  }
}

/**
 * The budget's shared store (Redis) is unreachable, so a billed call could
 * not be counted: it was refused before it was sent (budgets fail closed,
 * unless `budget.failOpen`). Retryable once the store is back.
 */
export class BudgetStoreUnavailableError extends PhoneVerificationError {
  readonly code = 'budget_store_unavailable' as const;
  constructor() {
    super(
      'The spend budget cannot be checked (its store is unreachable), so the call was not sent',
      { retryable: true, mayHaveBilled: false },
    );
  }
}
