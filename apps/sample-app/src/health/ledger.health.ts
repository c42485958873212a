import {
  PHONE_VERIFICATION_LEDGER,
  type UsageLedger,
} from '@app/phone-verification';
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
 * Reports the usage ledger's store on readiness. While it is away (a write
 * failed; the ledger probes it each second), the app either refuses every
 * call that would go upstream (`refuse`, the default: reported down, since
 * no verification can be made) or spools their rows to the local disk
 * (`spool`: reported up, with the rows waiting).
 */
@Injectable()
export class LedgerHealthIndicator {
  private readonly spooling: boolean;

  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(PHONE_VERIFICATION_LEDGER)
    private readonly ledger: UsageLedger | null,
    @Inject(SAMPLE_APP_CONFIG) { acedata }: SampleAppConfig,
  ) {
    this.spooling = acedata.ledger?.whenStoreDown === 'spool';
  }

  check(): HealthIndicatorResult<'ledger'> {
    const indicator = this.indicators.check('ledger');
    if (!this.ledger) return indicator.up({ configured: false });
    const waiting = this.ledger.backlog();
    if (this.ledger.storeAvailable()) {
      return indicator.up({ store: 'up', waiting });
    }
    return this.spooling
      ? indicator.up({ store: 'away', waiting, calls: 'spooled' })
      : indicator.down({ store: 'away', waiting, calls: 'refused' });
  }
}
