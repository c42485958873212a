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
 * Reports the shared Redis on readiness. While it is away the app still
 * answers (cache skipped, single flight and limits per instance), so it is
 * reported `up` with `shared: false`; it counts as down only when budgets
 * are set to fail closed, since no billed call can then be made.
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
    const state = this.verification.sharedStoreState();
    if (state === 'disabled') return indicator.up({ configured: false });
    if (state === 'up') return indicator.up({ shared: true });
    return this.budgetsFailClosed
      ? indicator.down({ shared: false, budgets: 'refusing billed calls' })
      : indicator.up({ shared: false, fallback: 'per-instance' });
  }
}
