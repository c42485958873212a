import type { SpendBudget } from '../budget/spend-budget.js';
import type { UsageLedger } from '../ledger/usage-ledger.js';
import type { CircuitBreakerState } from '../resilience/circuit-breaker.js';
import type { UpstreamResilience } from '../resilience/upstream-resilience.js';
import type { SharedRedis } from '../shared-store/shared-redis.js';
import {
  healthSnapshot,
  type PhoneVerificationHealth,
  type SharedStoreReport,
} from './phone-verification-health.js';

/** The parts of the library whose state readiness and metrics read: `PhoneVerificationService`'s health methods. */
export class LibraryHealth {
  constructor(
    private readonly resilience: UpstreamResilience,
    private readonly shared: SharedRedis | null,
    private readonly budget: SpendBudget | null,
    private readonly ledger: UsageLedger | null,
  ) {}

  circuitState(): CircuitBreakerState {
    return this.resilience.circuitState();
  }

  sharedStoreState(): 'up' | 'down' | 'disabled' {
    if (!this.shared) return 'disabled';
    return this.shared.availability.isUp() ? 'up' : 'down';
  }

  /**
   * The shared store for readiness: its state (`up`, `degraded`: connected
   * but a command failed, probed until it answers; `down`: reconnecting),
   * Redis's eviction policy, and the last budget counter found missing and
   * re-seeded. `undefined` without Redis.
   */
  sharedStoreHealth(): SharedStoreReport | undefined {
    if (!this.shared) return undefined;
    const budgetCounterLost = this.budget?.lostCounter();
    return {
      ...this.shared.health(),
      ...(budgetCounterLost ? { budgetCounterLost } : {}),
      budgetSeedFailures: this.budget?.seedFailures() ?? 0,
    };
  }

  /**
   * The library's state now, each part with whether it refuses billed calls
   * (by the library's own rules: the circuit, a fail-closed budget while
   * Redis is away, a ledger that refuses while its store is away).
   */
  snapshot(): PhoneVerificationHealth {
    return healthSnapshot({
      circuit: this.circuitState(),
      sharedStore: this.sharedStoreHealth(),
      budgetsFailClosed: this.budget?.failsClosed() ?? false,
      ...(this.ledger
        ? {
            ledger: {
              available: this.ledger.storeAvailable(),
              waiting: this.ledger.backlog(),
              whenAway: this.ledger.whenStoreAway(),
            },
          }
        : {}),
    });
  }

  sharedStoreFallbacks(): number {
    return this.shared ? this.shared.availability.fallbackCount() : 0;
  }
}
