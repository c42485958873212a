import { Logger } from '@nestjs/common';
import { BalanceUsedUpError } from '../errors/upstream-api.errors.js';

/** A spent balance is logged at most this often: every call fails with it. */
const LOG_EVERY_MS = 60_000;

/**
 * Says loudly, but not once per call, that AceData's balance is spent
 * (403 `used_up`): every verification fails until it is topped up.
 */
export class BalanceAlarm {
  private readonly logger = new Logger('PhoneVerificationService');
  private loggedAt = -Infinity;

  /** Takes note of an upstream error: a spent balance is said loudly. */
  heard(error: unknown, now = Date.now()): void {
    if (!(error instanceof BalanceUsedUpError)) return;
    if (now - this.loggedAt < LOG_EVERY_MS) return;
    this.loggedAt = now;
    this.logger.error(
      'AceData says the account balance is used up (403 used_up): every verification fails until it is topped up in AceData’s console',
    );
  }
}
