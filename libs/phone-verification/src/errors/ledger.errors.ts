import { PhoneVerificationError } from './phone-verification.error.js';

/**
 * The usage ledger's store could not record the call before it was sent
 * (and there is no spool, or the disk refused it too): the call was refused
 * before it was sent, so that no billed-maybe call goes unrecorded.
 * Retryable once the store is back.
 */
export class LedgerUnavailableError extends PhoneVerificationError {
  readonly code = 'ledger_unavailable' as const;
  constructor() {
    super(
      'The usage ledger cannot record the call (its store is unreachable), so the call was not sent',
      { retryable: true, mayHaveBilled: false },
    );
  }
}
