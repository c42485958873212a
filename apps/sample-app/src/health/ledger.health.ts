import { PhoneVerificationService } from '@app/phone-verification';
import { Injectable } from '@nestjs/common';
import {
  HealthIndicatorService,
  type HealthIndicatorResult,
} from '@nestjs/terminus';

/**
 * Reports the usage ledger's store on readiness, from the library's health
 * snapshot. While it is away (a write failed; the ledger probes it each
 * second), the library either refuses every call that would go upstream
 * (`refuse`, the default: reported down, since no verification can be
 * made) or spools their rows to the local disk (`spool`: reported up, with
 * the rows waiting).
 */
@Injectable()
export class LedgerHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly verification: PhoneVerificationService,
  ) {}

  check(): HealthIndicatorResult<'ledger'> {
    const indicator = this.indicators.check('ledger');
    const ledger = this.verification.health().ledger;
    if (!ledger) return indicator.up({ configured: false });
    const { store, waiting, refusingBilledCalls } = ledger;
    if (store === 'up') return indicator.up({ store, waiting });
    return refusingBilledCalls
      ? indicator.down({ store, waiting, calls: 'refused' })
      : indicator.up({ store, waiting, calls: 'spooled' });
  }
}
