import { PhoneVerificationService } from '@app/phone-verification';
import { Inject, Injectable } from '@nestjs/common';
import {
  HealthIndicatorService,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import {
  SAMPLE_APP_CONFIG,
  type SampleAppConfig,
} from '../sample-app.config.js';

/**
 * Reports the shared Redis on readiness: its state (`up`, `degraded`: a
 * command failed and it is probed until it answers; `down`: reconnecting),
 * its eviction policy, and a budget counter found missing and re-seeded.
 * While it is not up the app still answers (in-process cache, single flight
 * and limits per instance), so it is reported `up` with `shared: false`; it
 * counts as down only when budgets fail closed, since no billed call can
 * then be made. It follows the library's probe, so within about a second of
 * Redis answering again.
 */
@Injectable()
export class RedisHealthIndicator {
  private readonly budgetsFailClosed: boolean;

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly verification: PhoneVerificationService,
    @Inject(SAMPLE_APP_CONFIG) { acedata }: SampleAppConfig,
  ) {
    this.budgetsFailClosed =
      acedata.budget !== undefined && acedata.budget.failOpen !== true;
  }

  check(): HealthIndicatorResult<'redis'> {
    const indicator = this.indicators.check('redis');
    const health = this.verification.sharedStoreHealth();
    if (!health) return indicator.up({ configured: false });
    const { state, reason, evictionPolicy, evictionSafe, budgetCounterLost } =
      health;
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
    if (state === 'up') return indicator.up({ shared: true, ...details });
    return this.budgetsFailClosed
      ? indicator.down({
          shared: false,
          ...details,
          budgets: 'refusing billed calls',
        })
      : indicator.up({ shared: false, ...details, fallback: 'per-instance' });
  }
}
