import type { Clock } from './clock.js';
import type { PhoneVerificationResult } from './dto/phone-verification-result.js';
import type { VerifyOptions } from './dto/verify-options.js';
import {
  BudgetExhaustedError,
  BudgetStoreUnavailableError,
} from './errors/budget.errors.js';
import type { LedgerAsk } from './ledger/ledger-ask.js';
import {
  freeAnswerCompletion,
  refusalCompletion,
} from './ledger/ledger-row.js';
import type { UsageLedger } from './ledger/usage-ledger.js';
import type { Answer } from './single-flight/answer-sources.js';
import type { NormalizedVerificationRequest } from './validation/normalize-request.js';
import type { VerificationReporter } from './events/verification-reporter.js';
import type { VerificationSpan } from './events/verification-tracing.js';

/**
 * How one `verify()` ended, told: the event, the span, and the ledger's row
 * of an answer that cost nothing (a cache hit, another call's answer, a
 * budget's refusal). A billed call's rows are the billed call's own.
 */
export class VerificationOutcomes {
  constructor(
    private readonly reporter: VerificationReporter,
    private readonly ledger: UsageLedger | null,
    private readonly clock: Clock,
  ) {}

  /** A result: reported, and on the ledger when it was free (a cache hit, another call's answer). */
  async answered(
    span: VerificationSpan,
    normalized: NormalizedVerificationRequest,
    options: VerifyOptions,
    answer: Answer,
    started: number,
  ): Promise<PhoneVerificationResult> {
    const { result: fetched, attempts } = answer.outcome;
    const result: PhoneVerificationResult = answer.cacheHit
      ? { ...fetched, fromCache: true, charged: false }
      : answer.shared
        ? { ...fetched, shared: true, charged: false }
        : fetched;
    const latencyMs = this.clock.now() - started;
    this.reporter.answered(
      normalized.phone,
      {
        result,
        attempts: answer.shared ? 0 : attempts,
        cacheHit: answer.cacheHit,
        shared: answer.shared,
        latencyMs,
      },
      span,
    );
    if (answer.cacheHit || answer.shared) {
      await this.ledger?.answeredFree(
        this.askOf(normalized, options),
        answer.cacheHit ? 'cache' : 'shared',
        freeAnswerCompletion(result, started + latencyMs, latencyMs),
      );
    }
    return result;
  }

  /** A failure: reported, and a budget's refusal on the ledger (free: nothing was sent). */
  async failed(
    span: VerificationSpan,
    normalized: NormalizedVerificationRequest,
    options: VerifyOptions,
    {
      error,
      attempts,
      started,
    }: { error: unknown; attempts: number; started: number },
  ): Promise<void> {
    const latencyMs = this.clock.now() - started;
    this.reporter.failed(
      normalized.phone,
      { error, attempts, latencyMs },
      span,
    );
    if (
      error instanceof BudgetExhaustedError ||
      error instanceof BudgetStoreUnavailableError
    ) {
      await this.ledger?.answeredFree(
        this.askOf(normalized, options),
        'budget_refused',
        refusalCompletion(error.code, started + latencyMs, latencyMs),
      );
    }
  }

  /** Who asked about whom, for the ledger. */
  private askOf(
    request: NormalizedVerificationRequest,
    { caller, requestId }: VerifyOptions,
  ): LedgerAsk {
    return { request, caller, requestId };
  }
}
