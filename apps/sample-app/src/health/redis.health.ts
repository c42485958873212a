import { PhoneVerificationService } from '@app/phone-verification';
import { Injectable } from '@nestjs/common';
import {
  HealthIndicatorService,
  type HealthIndicatorResult,
} from '@nestjs/terminus';

/**
 * Reports the shared Redis on readiness from the library's health snapshot:
 * its state (`up`, `degraded`: a command failed and it is probed until it
 * answers; `down`: reconnecting), its eviction policy, and a budget counter
 * found missing and re-seeded. While it is not up the app still answers
 * (in-process cache, single flight and limits per instance), so it is
 * reported `up` with `shared: false`, unless the library says billed calls
 * are refused meanwhile (budgets that fail closed). It follows the
 * library's probe, so within about a second of Redis answering again.
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly verification: PhoneVerificationService,
  ) {}

  check(): HealthIndicatorResult<'redis'> {
    const indicator = this.indicators.check('redis');
    const store = this.verification.health().sharedStore;
    if (!store) return indicator.up({ configured: false });
    const {
      shared,
      refusingBilledCalls,
      state,
      reason,
      evictionPolicy,
      evictionSafe,
      budgetCounterLost,
    } = store;
    const details = {
      state,
      ...(reason ? { reason } : {}),
      evictionPolicy,
      ...(evictionSafe === false
        ? { warning: 'this eviction policy can evict leases and budgets' }
        : {}),
      ...(budgetCounterLost
        ? {
            budgetCounterLost: {
              day: budgetCounterLost.day,
              detectedAt: budgetCounterLost.detectedAt.toISOString(),
              reseededTo: budgetCounterLost.reseededTo,
            },
          }
        : {}),
    };
    if (shared) return indicator.up({ shared: true, ...details });
    return refusingBilledCalls
      ? indicator.down({
          shared: false,
          ...details,
          budgets: 'refusing billed calls',
        })
      : indicator.up({ shared: false, ...details, fallback: 'per-instance' });
  }
}
