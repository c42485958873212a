import type { BudgetCounterLoss } from '../budget/budget-ledger.js';
import type { CircuitBreakerState } from '../resilience/circuit-breaker.js';
import type { SharedStoreHealth } from '../shared-store/shared-redis.js';

/** What `sharedStoreHealth()` reports. */
export interface SharedStoreReport extends SharedStoreHealth {
  /** The last budget counter found missing in Redis and re-seeded, if any. */
  readonly budgetCounterLost?: BudgetCounterLoss;
  /** How many times a new day's budget counter could not be seeded from the usage ledger. */
  readonly budgetSeedFailures: number;
}

/**
 * The library's state at one moment, for readiness and metrics: each part
 * with whether it is making billed calls be refused now, by the library's
 * own rules (an open circuit fails fast; a fail-closed budget refuses while
 * Redis is away; a ledger that refuses when its store is away), so an app
 * never re-derives them from the options.
 */
export interface PhoneVerificationHealth {
  /** True when any part below refuses billed calls now. */
  readonly refusingBilledCalls: boolean;
  readonly circuit: {
    readonly state: CircuitBreakerState;
    /** Open or isolated: calls fail fast without going upstream. */
    readonly refusingBilledCalls: boolean;
  };
  /** The shared Redis; none without `redis`. */
  readonly sharedStore?: SharedStoreReport & {
    /** Up: cache, single flight and budgets shared by the instances. */
    readonly shared: boolean;
    /** Not up, with budgets that fail closed (the default). */
    readonly refusingBilledCalls: boolean;
  };
  /** The usage ledger's store; none without `ledger`. */
  readonly ledger?: {
    readonly store: 'up' | 'away';
    /** Writes waiting for the store (spooled or in memory). */
    readonly waiting: number;
    /** What calls do while the store is away: refused, or their rows spooled to the disk. */
    readonly whenAway: 'refuse' | 'spool';
    /** Away, and calls are refused. */
    readonly refusingBilledCalls: boolean;
  };
}

/** What the snapshot is made of. */
export interface HealthParts {
  readonly circuit: CircuitBreakerState;
  readonly sharedStore?: SharedStoreReport;
  /** Budgets are set and refuse billed calls while Redis is away. */
  readonly budgetsFailClosed: boolean;
  readonly ledger?: {
    readonly available: boolean;
    readonly waiting: number;
    readonly whenAway: 'refuse' | 'spool';
  };
}

/** The snapshot of {@link HealthParts}. */
export function healthSnapshot(parts: HealthParts): PhoneVerificationHealth {
  const circuitRefuses =
    parts.circuit === 'open' || parts.circuit === 'isolated';
  const store = parts.sharedStore;
  const shared = store?.state === 'up';
  const sharedStore = store
    ? {
        ...store,
        shared,
        refusingBilledCalls: !shared && parts.budgetsFailClosed,
      }
    : undefined;
  const ledger = parts.ledger
    ? {
        store: parts.ledger.available ? ('up' as const) : ('away' as const),
        waiting: parts.ledger.waiting,
        whenAway: parts.ledger.whenAway,
        refusingBilledCalls:
          !parts.ledger.available && parts.ledger.whenAway === 'refuse',
      }
    : undefined;
  return {
    refusingBilledCalls:
      circuitRefuses ||
      (sharedStore?.refusingBilledCalls ?? false) ||
      (ledger?.refusingBilledCalls ?? false),
    circuit: { state: parts.circuit, refusingBilledCalls: circuitRefuses },
    ...(sharedStore ? { sharedStore } : {}),
    ...(ledger ? { ledger } : {}),
  };
}
