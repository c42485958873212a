import type { AceDataClient } from '../acedata/acedata.client.js';
import type { SpendBudget } from '../budget/spend-budget.js';
import type { BudgetHold } from '../budget/budget-ledger.js';
import type { Clock } from '../clock.js';
import type { PhoneVerificationResult } from '../dto/phone-verification-result.js';
import { LedgerUnavailableError } from '../errors/ledger.errors.js';
import { PhoneVerificationError } from '../errors/phone-verification.error.js';
import type { LedgerCompletion } from '../ledger/ledger-row.js';
import type { UsageLedger } from '../ledger/usage-ledger.js';
import type {
  AttemptTally,
  ResilientOutcome,
  UpstreamResilience,
} from '../resilience/upstream-resilience.js';
import type { NormalizedVerificationRequest } from '../validation/normalize-request.js';
import {
  keepsBudgetUnit,
  settleError,
  settleResult,
  type Settlement,
} from './settlement.js';

/** Who a billed call is for, and the caller's hook. */
export interface BilledCallContext {
  /** Whose per-key budget it counts against. */
  readonly budgetKey?: string;
  /** Who asked, as the app labels its callers, for the ledger. */
  readonly caller?: string;
  /** The app's own id of the request, for the ledger. */
  readonly requestId?: string;
  /** Runs right before each request is written. */
  readonly onAttempt?: () => void;
}

/**
 * The money path, read top to bottom: one call that AceData may bill.
 *
 * 1. Reserve one unit of the spend budgets (or be refused: nothing sent).
 * 2. Take the pacing slot (inside the resilience layer).
 * 3. Record "sent" in the ledger, durable, right before the first request
 *    is written: never for a call that waited for a slot and never left.
 * 4. Call (circuit breaker, retries of what cannot have billed).
 * 5. Settle: one rule ({@link settleResult}, {@link settleError}) decides
 *    what the budget keeps and what the ledger records; the single flight
 *    tells waiters the same (`mayHaveBilled`).
 */
export class BilledCall {
  constructor(
    private readonly budget: SpendBudget | null,
    private readonly resilience: UpstreamResilience,
    private readonly client: AceDataClient,
    private readonly ledger: UsageLedger | null,
    private readonly clock: Clock,
  ) {}

  async run(
    request: NormalizedVerificationRequest,
    tally: AttemptTally,
    context: BilledCallContext,
  ): Promise<ResilientOutcome> {
    const hold = await this.budget?.reserve(context.budgetKey);
    const started = this.clock.now();
    let sentId: string | undefined;
    const beforeEachRequest = async () => {
      if (this.ledger && sentId === undefined) {
        sentId = await this.ledger.sent({
          request,
          caller: context.caller,
          requestId: context.requestId,
        });
      }
      context.onAttempt?.();
    };
    let outcome: ResilientOutcome;
    try {
      outcome = await this.resilience.execute(
        () => this.client.check3e(request),
        tally,
        beforeEachRequest,
      );
    } catch (error) {
      const settlement = settleError(error, tally);
      await this.settle(
        hold,
        settlement,
        request,
        context,
        sentId,
        {
          ...this.completion(started, tally.attempts, settlement),
          status: 'error',
          errorCode:
            error instanceof PhoneVerificationError ? error.code : 'unexpected',
          traceId:
            error instanceof PhoneVerificationError ? error.traceId : undefined,
        },
        error instanceof LedgerUnavailableError,
      );
      throw error;
    }
    const settlement = settleResult(outcome.result);
    await this.settle(
      hold,
      settlement,
      request,
      context,
      sentId,
      this.resultCompletion(
        outcome.result,
        started,
        outcome.attempts,
        settlement,
      ),
      false,
    );
    return outcome;
  }

  /** Keeps or gives back the budget's unit, and completes the ledger's row. */
  private async settle(
    hold: BudgetHold | undefined,
    settlement: Settlement,
    request: NormalizedVerificationRequest,
    context: BilledCallContext,
    sentId: string | undefined,
    completion: LedgerCompletion,
    ledgerRefused: boolean,
  ): Promise<void> {
    if (hold)
      await (keepsBudgetUnit(settlement) ? hold.keep() : hold.release());
    if (!this.ledger || ledgerRefused) return;
    if (sentId !== undefined) {
      await this.ledger.completed(sentId, completion);
    } else {
      // Never left (an open circuit, no pacing slot): on record, not sent.
      await this.ledger.notSent(
        { request, caller: context.caller, requestId: context.requestId },
        completion,
      );
    }
  }

  private completion(
    started: number,
    attempts: number,
    settlement: Settlement,
  ): Omit<LedgerCompletion, 'status'> {
    return {
      completedAt: this.clock.now(),
      billed: settlement.billed,
      mayHaveBilled: settlement.mayHaveBilled,
      attempts,
      latencyMs: this.clock.now() - started,
    };
  }

  private resultCompletion(
    result: PhoneVerificationResult,
    started: number,
    attempts: number,
    settlement: Settlement,
  ): LedgerCompletion {
    return {
      ...this.completion(started, attempts, settlement),
      status: result.status,
      resultCode: result.code,
      traceId: result.traceId,
    };
  }
}
