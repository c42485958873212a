import {
  Inject,
  Injectable,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import type { Clock } from '../clock.js';
import {
  PHONE_VERIFICATION_CLOCK,
  PHONE_VERIFICATION_LEDGER,
  PHONE_VERIFICATION_RESOLVED_OPTIONS,
} from '../phone-verification.constants.js';
import type { ResolvedPhoneVerificationOptions } from '../phone-verification.options.js';
import { openResolvedUsageLedger } from './open-usage-ledger.js';
import type { UsageLedger } from './usage-ledger.js';

/**
 * Opens the ledger's store, applies its migrations and replays its spool
 * when `ledger` is set; `null` otherwise. A store that is away at start does
 * not stop the app: calls are refused (or spooled) until it is back.
 */
export const usageLedgerProvider: Provider = {
  provide: PHONE_VERIFICATION_LEDGER,
  inject: [PHONE_VERIFICATION_RESOLVED_OPTIONS, PHONE_VERIFICATION_CLOCK],
  useFactory: async (
    options: ResolvedPhoneVerificationOptions,
    clock: Clock,
  ): Promise<UsageLedger | null> => {
    if (!options.ledger) return null;
    return openResolvedUsageLedger(options.ledger, clock);
  },
};

/** Sends what waits and closes the ledger's store, once the app has drained. */
@Injectable()
export class UsageLedgerCloser implements OnApplicationShutdown {
  constructor(
    @Inject(PHONE_VERIFICATION_LEDGER)
    private readonly ledger: UsageLedger | null,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.ledger?.close();
  }
}
