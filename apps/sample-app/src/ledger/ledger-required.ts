import type { UsageLedger } from '@app/phone-verification';
import { ServiceUnavailableException } from '@nestjs/common';

/** The usage ledger for an operator endpoint; 503 when the app runs without one. */
export function ledgerRequired(ledger: UsageLedger | null): UsageLedger {
  if (!ledger) {
    throw new ServiceUnavailableException('The usage ledger is off');
  }
  return ledger;
}
