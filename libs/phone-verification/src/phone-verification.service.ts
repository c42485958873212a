import { Inject, Injectable } from '@nestjs/common';
import { AceDataClient } from './acedata/acedata.client.js';
import { BilledCall } from './billing/billed-call.js';
import type { BudgetUsage, SpendBudget } from './budget/spend-budget.js';
import { createSubjectKeyer } from './cache/subject-key.js';
import type { ResolvedPhoneVerificationOptions } from './phone-verification.options.js';
import type { VerificationCache } from './cache/verification-cache.js';
import type { Clock } from './clock.js';
import type {
  PhoneVerificationRequest,
  VerifyMode,
} from './dto/phone-verification-request.js';
import type { PhoneVerificationResult } from './dto/phone-verification-result.js';
import { VerificationReporter } from './events/verification-reporter.js';
import {
  traceVerification,
  type VerificationSpan,
} from './events/verification-tracing.js';
import { VerificationOutcomes } from './verification-outcomes.js';
import type { UsageLedger } from './ledger/usage-ledger.js';
import {
  PHONE_VERIFICATION_BUDGET,
  PHONE_VERIFICATION_CACHE,
  PHONE_VERIFICATION_CLOCK,
  PHONE_VERIFICATION_KEY_SECRET,
  PHONE_VERIFICATION_LEDGER,
  PHONE_VERIFICATION_SHARED_REDIS,
  PHONE_VERIFICATION_RESOLVED_OPTIONS,
} from './phone-verification.constants.js';
import type { CircuitBreakerState } from './resilience/circuit-breaker.js';
import { VerificationSingleFlight } from './single-flight/single-flight.js';
import {
  UpstreamResilience,
  type AttemptTally,
} from './resilience/upstream-resilience.js';
import { AnswerSources } from './single-flight/answer-sources.js';
import type { VerifyOptions } from './dto/verify-options.js';
import type { SharedRedis } from './shared-store/shared-redis.js';
import { LibraryHealth } from './health/library-health.js';
import type {
  PhoneVerificationHealth,
  SharedStoreReport,
} from './health/phone-verification-health.js';
import {
  normalizeVerificationRequest,
  type NormalizedVerificationRequest,
} from './validation/normalize-request.js';

/**
 * Verifies that a name, a mainland-China mobile number and a resident ID
 * number belong together, through AceData's three-elements API.
 *
 * One request flows top to bottom: validate → cache → single flight (one
 * call per identity, in this process and across instances) → the billed
 * call (`billing/billed-call.ts`: budget, pacing, the ledger's "sent" row,
 * breaker and retries, AceData, settlement) → report (events, the ledger's
 * free rows); one result or one typed error.
 */
@Injectable()
export class PhoneVerificationService {
  constructor(
    @Inject(PHONE_VERIFICATION_RESOLVED_OPTIONS)
    { defaultVerifyMode }: ResolvedPhoneVerificationOptions,
    @Inject(PHONE_VERIFICATION_KEY_SECRET) keySecret: string,
    @Inject(PHONE_VERIFICATION_CACHE) cache: VerificationCache | null,
    singleFlight: VerificationSingleFlight,
    @Inject(PHONE_VERIFICATION_BUDGET)
    private readonly budget: SpendBudget | null,
    resilience: UpstreamResilience,
    client: AceDataClient,
    reporter: VerificationReporter,
    @Inject(PHONE_VERIFICATION_CLOCK) private readonly clock: Clock,
    @Inject(PHONE_VERIFICATION_SHARED_REDIS) shared: SharedRedis | null,
    @Inject(PHONE_VERIFICATION_LEDGER) ledger: UsageLedger | null,
  ) {
    this.defaultVerifyMode = defaultVerifyMode;
    this.sources = new AnswerSources(
      cache,
      singleFlight,
      new BilledCall(budget, resilience, client, ledger, clock),
      createSubjectKeyer(keySecret),
    );
    this.parts = new LibraryHealth(resilience, shared, budget, ledger);
    this.outcomes = new VerificationOutcomes(reporter, ledger, clock);
  }

  private readonly defaultVerifyMode: VerifyMode;
  private readonly sources: AnswerSources;
  private readonly parts: LibraryHealth;
  private readonly outcomes: VerificationOutcomes;

  /**
   * Normalises and validates the input (throwing `InvalidInputError` before
   * any upstream call), then verifies it.
   *
   * @returns the result for any answer AceData gives, billed or not.
   * @throws PhoneVerificationError when there is no result: bad input, an
   *   upstream error status, a timeout, a connection failure, an open
   *   circuit, a spent budget.
   */
  verify(
    request: PhoneVerificationRequest,
    options: VerifyOptions = {},
  ): Promise<PhoneVerificationResult> {
    return traceVerification((span) => this.traced(span, request, options));
  }

  private async traced(
    span: VerificationSpan,
    request: PhoneVerificationRequest,
    options: VerifyOptions,
  ): Promise<PhoneVerificationResult> {
    let normalized: NormalizedVerificationRequest;
    try {
      normalized = normalizeVerificationRequest(
        request,
        this.defaultVerifyMode,
      );
    } catch (error) {
      span.failed(error, 0);
      throw error;
    }
    span.asked(normalized.verifyMode, normalized.encrypted !== undefined);
    const started = this.clock.now();
    const tally: AttemptTally = { attempts: 0 };
    try {
      const answer = await this.sources.answer(normalized, tally, options);
      return await this.outcomes.answered(
        span,
        normalized,
        options,
        answer,
        started,
      );
    } catch (error) {
      await this.outcomes.failed(span, normalized, options, {
        error,
        attempts: tally.attempts,
        started,
      });
      throw error;
    }
  }

  /** The circuit breaker's state, for readiness checks. */
  circuitState(): CircuitBreakerState {
    return this.parts.circuitState();
  }

  /** Whether the shared Redis is in use (`up`), away (`down`), or not configured. */
  sharedStoreState(): 'up' | 'down' | 'disabled' {
    return this.parts.sharedStoreState();
  }

  /** The shared store for readiness (see {@link LibraryHealth.sharedStoreHealth}); `undefined` without Redis. */
  sharedStoreHealth(): SharedStoreReport | undefined {
    return this.parts.sharedStoreHealth();
  }

  /** The library's state now, each part with whether it refuses billed calls, for readiness and metrics. */
  health(): PhoneVerificationHealth {
    return this.parts.snapshot();
  }

  /** How many times the shared Redis was lost since start (each a fallback to per-instance behaviour). */
  sharedStoreFallbacks(): number {
    return this.parts.sharedStoreFallbacks();
  }

  /**
   * Today's use of the spend budgets (China time): the deployment's and,
   * given a budget key, that key's. Empty without `budget`. Throws when the
   * shared store is away.
   */
  async budgetUsage(budgetKey?: string): Promise<BudgetUsage[]> {
    return this.budget ? this.budget.usage(budgetKey) : [];
  }
}
