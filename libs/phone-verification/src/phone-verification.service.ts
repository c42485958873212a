import { Inject, Injectable } from '@nestjs/common';
import { AceDataClient } from './acedata/acedata.client.js';
import { BilledCall } from './billing/billed-call.js';
import type { BudgetUsage, SpendBudget } from './budget/spend-budget.js';
import { createSubjectKeyer, type SubjectKeyer } from './cache/subject-key.js';
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
import {
  BudgetExhaustedError,
  BudgetStoreUnavailableError,
} from './errors/budget.errors.js';
import {
  freeAnswerCompletion,
  refusalCompletion,
} from './ledger/ledger-row.js';
import type { LedgerAsk } from './ledger/ledger-ask.js';
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
  type ResilientOutcome,
} from './resilience/upstream-resilience.js';
import type { SharedRedis } from './shared-store/shared-redis.js';
import {
  healthSnapshot,
  type PhoneVerificationHealth,
  type SharedStoreReport,
} from './health/phone-verification-health.js';
import {
  normalizeVerificationRequest,
  type NormalizedVerificationRequest,
} from './validation/normalize-request.js';

/** Per-call options of `verify()`. */
export interface VerifyOptions {
  /**
   * Whose per-key budget the call counts against (e.g. a tenant or an API
   * key's id); only its HMAC is stored. Needs `budget.perKey`.
   */
  budgetKey?: string;
  /**
   * Called synchronously right before each upstream request is sent (after
   * the cache, the budget and the pacing; never for a cached or shared
   * answer): e.g. to record "sent, may be billed" before the request leaves.
   * If it throws, nothing is sent and `verify()` rejects with its error.
   */
  onAttempt?: () => void;
  /**
   * Who asked, as the app labels its callers (a tenant, an API key's id:
   * never the key itself), written as given to the usage ledger's rows.
   */
  caller?: string;
  /**
   * Your app's own id of this request (its `x-request-id`, its trace id),
   * kept on the ledger's row: when AceData sent no trace id (a lost
   * connection), it is the id your caller got, and finds the call.
   */
  requestId?: string;
}

/** How one `verify()` was answered. */
interface Answer {
  readonly outcome: ResilientOutcome;
  readonly cacheHit: boolean;
  readonly shared: boolean;
}

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
    @Inject(PHONE_VERIFICATION_CACHE)
    private readonly cache: VerificationCache | null,
    private readonly singleFlight: VerificationSingleFlight,
    @Inject(PHONE_VERIFICATION_BUDGET)
    private readonly budget: SpendBudget | null,
    private readonly resilience: UpstreamResilience,
    private readonly client: AceDataClient,
    private readonly reporter: VerificationReporter,
    @Inject(PHONE_VERIFICATION_CLOCK) private readonly clock: Clock,
    @Inject(PHONE_VERIFICATION_SHARED_REDIS)
    private readonly shared: SharedRedis | null,
    @Inject(PHONE_VERIFICATION_LEDGER)
    private readonly ledger: UsageLedger | null,
  ) {
    this.defaultVerifyMode = defaultVerifyMode;
    this.keyOf = createSubjectKeyer(keySecret);
    this.billedCall = new BilledCall(budget, resilience, client, ledger, clock);
  }

  private readonly defaultVerifyMode: VerifyMode;
  /** The HMAC of a subject: cache and single-flight keys. */
  private readonly keyOf: SubjectKeyer;
  private readonly billedCall: BilledCall;

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
      const answer = await this.answer(normalized, tally, options);
      return await this.answered(span, normalized, options, answer, started);
    } catch (error) {
      const latencyMs = this.clock.now() - started;
      this.reporter.failed(
        normalized.phone,
        { error, attempts: tally.attempts, latencyMs },
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
      throw error;
    }
  }

  /** A result: reported, and on the ledger when it was free (a cache hit, another call's answer). */
  private async answered(
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

  /** The circuit breaker's state, for readiness checks. */
  circuitState(): CircuitBreakerState {
    return this.resilience.circuitState();
  }

  /** Whether the shared Redis is in use (`up`), away (`down`), or not configured. */
  sharedStoreState(): 'up' | 'down' | 'disabled' {
    if (!this.shared) return 'disabled';
    return this.shared.availability.isUp() ? 'up' : 'down';
  }

  /**
   * The shared store for readiness: its state (`up`, `degraded`: connected
   * but a command failed, probed until it answers; `down`: reconnecting),
   * Redis's eviction policy, and the last budget counter found missing and
   * re-seeded. `undefined` without Redis.
   */
  sharedStoreHealth(): SharedStoreReport | undefined {
    if (!this.shared) return undefined;
    const budgetCounterLost = this.budget?.lostCounter();
    return {
      ...this.shared.health(),
      ...(budgetCounterLost ? { budgetCounterLost } : {}),
      budgetSeedFailures: this.budget?.seedFailures() ?? 0,
    };
  }

  /**
   * The library's state now, each part with whether it refuses billed calls
   * (by the library's own rules: the circuit, a fail-closed budget while
   * Redis is away, a ledger that refuses while its store is away), for
   * readiness and metrics.
   */
  health(): PhoneVerificationHealth {
    return healthSnapshot({
      circuit: this.circuitState(),
      sharedStore: this.sharedStoreHealth(),
      budgetsFailClosed: this.budget?.failsClosed() ?? false,
      ...(this.ledger
        ? {
            ledger: {
              available: this.ledger.storeAvailable(),
              waiting: this.ledger.backlog(),
              whenAway: this.ledger.whenStoreAway(),
            },
          }
        : {}),
    });
  }

  /** How many times the shared Redis was lost since start (each a fallback to per-instance behaviour). */
  sharedStoreFallbacks(): number {
    return this.shared ? this.shared.availability.fallbackCount() : 0;
  }

  /**
   * Today's use of the spend budgets (China time): the deployment's and,
   * given a budget key, that key's. Empty without `budget`. Throws when the
   * shared store is away.
   */
  async budgetUsage(budgetKey?: string): Promise<BudgetUsage[]> {
    return this.budget ? this.budget.usage(budgetKey) : [];
  }

  private async answer(
    request: NormalizedVerificationRequest,
    tally: AttemptTally,
    options: VerifyOptions,
  ): Promise<Answer> {
    // Ciphertext under a fresh IV never repeats: nothing to cache or share.
    if (request.encrypted) {
      const outcome = await this.billedCall.run(request, tally, options);
      return { outcome, cacheHit: false, shared: false };
    }
    const key = this.keyOf(request);
    const cached = await this.cache?.lookup(key);
    if (cached) {
      const outcome = { result: cached, attempts: 0 };
      return { outcome, cacheHit: true, shared: false };
    }
    let cachedMeanwhile = false;
    const flight = await this.singleFlight.run(key, async () => {
      // The lease is ours: a leader that just finished may have cached it.
      const meanwhile = await this.cache?.lookup(key);
      if (meanwhile) {
        cachedMeanwhile = true;
        return { result: meanwhile, attempts: 0 };
      }
      const outcome = await this.billedCall.run(request, tally, options);
      await this.cache?.remember(key, outcome.result);
      return outcome;
    });
    return { ...flight, cacheHit: cachedMeanwhile };
  }

  /** Who asked about whom, for the ledger. */
  private askOf(
    request: NormalizedVerificationRequest,
    { caller, requestId }: VerifyOptions,
  ): LedgerAsk {
    return { request, caller, requestId };
  }
}
