import { PhoneVerificationService } from '@app/phone-verification';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  HealthIndicatorService,
  type HealthIndicatorResult,
} from '@nestjs/terminus';

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
    config: ConfigService,
  ) {
    this.budgetsFailClosed = config.getOrThrow<boolean>('budgetsFailClosed');
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
