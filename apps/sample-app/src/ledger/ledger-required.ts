import { InvalidInputError, type UsageLedger } from '@app/phone-verification';
import {
  HttpException,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';

const logger = new Logger('LedgerEndpoints');

/** The usage ledger for an operator endpoint; 503 when the app runs without one. */
export function ledgerRequired(ledger: UsageLedger | null): UsageLedger {
  if (!ledger) {
    throw new ServiceUnavailableException('The usage ledger is off');
  }
  return ledger;
}

/**
 * Runs an operator's read (or erasure) on the ledger: 503 while its store
 * does not answer, not 500; the operator's own mistakes stay 400.
 */
export async function fromLedger<T>(
  ledger: UsageLedger | null,
  work: (ledger: UsageLedger) => Promise<T>,
): Promise<T> {
  const open = ledgerRequired(ledger);
  try {
    return await work(open);
  } catch (error) {
    if (error instanceof HttpException || error instanceof InvalidInputError) {
      throw error;
    }
    const code = (error as { code?: unknown } | null)?.code;
    logger.warn(
      `The usage ledger's store did not answer an operator's request (${(error as Error).name}${typeof code === 'string' ? ` ${code.slice(0, 16)}` : ''})`,
    );
    throw new ServiceUnavailableException(
      "The usage ledger's store is not answering: try again shortly",
    );
  }
}
