import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { MemoryBudgetLedger } from './budget/budget-ledger.js';
import { RedisBudgetLedger } from './budget/redis-budget-ledger.js';
import { SpendBudget, type BudgetUsage } from './budget/spend-budget.js';
import { RedisCacheStore } from './cache/redis-cache.store.js';
import { RedisSingleFlight } from './resilience/redis-single-flight.js';
import type { SharedRedis } from './shared-store/shared-redis.js';
import { AceDataClient } from './acedata/acedata.client.js';
import type { PhoneVerificationCacheStore } from './cache/cache-store.interface.js';
import { LruCacheStore } from './cache/lru-cache.store.js';
import { createSubjectKeyer, type SubjectKeyer } from './cache/subject-key.js';
import { VerificationCache } from './cache/verification-cache.js';
import type { PhoneVerificationRequest } from './dto/phone-verification-request.js';
import {
  chargedForThisCall,
  type PhoneVerificationResult,
} from './dto/phone-verification-result.js';
import { PhoneVerificationError } from './errors/phone-verification.error.js';
import type { VerificationEvent } from './events/verification-event.js';
import {
  PHONE_VERIFICATION_CLOCK,
  PHONE_VERIFICATION_RESOLVED_OPTIONS,
  PHONE_VERIFICATION_SHARED_REDIS,
} from './phone-verification.constants.js';
import type { ResolvedPhoneVerificationOptions } from './phone-verification.options.js';
import { maskPhone } from './privacy/masking.js';
import type { Clock } from './resilience/clock.js';
import { InFlightDedupe } from './resilience/in-flight-dedupe.js';
import {
  UpstreamResilience,
  type AttemptTally,
  type CircuitBreakerState,
  type ResilientOutcome,
} from './resilience/upstream-resilience.js';
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
}

/** An upstream outcome, and whether another instance's call produced it. */
interface Flight {
  outcome: ResilientOutcome;
  shared: boolean;
}

/** How one `verify()` was answered, for its event. */
interface Answered {
  outcome: ResilientOutcome;
  cacheHit: boolean;
  shared: boolean;
}

/**
 * Verifies that a name, a mainland-China mobile number and a resident ID
 * number belong together, through AceData's three-elements API.
 *
 * One request flows: validate → cache → join an identical call in flight
 * (in this process, then across instances on Redis) → spend budget →
 * circuit breaker and retries → AceData; one result or one typed error.
 */
@Injectable()
export class PhoneVerificationService {
  private readonly logger = new Logger(PhoneVerificationService.name);
  private readonly keyOf: SubjectKeyer;
  private readonly cache?: VerificationCache;
  private readonly dedupe = new InFlightDedupe<Flight>();
  private readonly flight?: RedisSingleFlight;
  private readonly budget?: SpendBudget;

  constructor(
    @Inject(PHONE_VERIFICATION_RESOLVED_OPTIONS)
    private readonly options: ResolvedPhoneVerificationOptions,
    private readonly client: AceDataClient,
    private readonly resilience: UpstreamResilience,
    @Inject(PHONE_VERIFICATION_CLOCK) private readonly clock: Clock,
    @Inject(PHONE_VERIFICATION_SHARED_REDIS)
    private readonly shared: SharedRedis | null,
  ) {
    // Keys must agree across instances sharing a store: a shared secret.
    const secret = options.redis
      ? options.redis.secret
      : options.cache
        ? options.cache.secret
        : randomBytes(32).toString('hex');
    this.keyOf = createSubjectKeyer(secret);
    if (options.cache) {
      const store: PhoneVerificationCacheStore =
        options.cache.store ??
        (shared
          ? new RedisCacheStore(shared)
          : new LruCacheStore(options.cache.maxEntries));
      this.cache = new VerificationCache(store, options.cache.ttlMs, clock);
    }
    if (shared && options.redis && options.dedupe) {
      this.flight = new RedisSingleFlight(shared, options.redis.singleFlight);
    }
    if (options.budget) {
      const ledger = shared
        ? new RedisBudgetLedger(shared)
        : new MemoryBudgetLedger();
      this.budget = new SpendBudget(options.budget, ledger, secret, clock);
    }
  }

  /**
   * Normalises and validates the input (throwing `InvalidInputError` before
   * any upstream call), then verifies it.
   *
   * @returns the result for any answer AceData gives, billed or not.
   * @throws PhoneVerificationError when there is no result: bad input, an
   *   upstream error status, a timeout, a connection failure, an open circuit.
   */
  async verify(
    request: PhoneVerificationRequest,
    options: VerifyOptions = {},
  ): Promise<PhoneVerificationResult> {
    const normalized = normalizeVerificationRequest(
      request,
      this.options.defaultVerifyMode,
    );
    const started = performance.now();
    const tally: AttemptTally = { attempts: 0 };
    try {
      const answered = await this.answer(normalized, tally, options.budgetKey);
      const answer = answered.outcome.result;
      const result: PhoneVerificationResult = answered.cacheHit
        ? { ...answer, fromCache: true }
        : answered.shared
          ? { ...answer, shared: true }
          : answer;
      this.emit({
        status: result.status,
        code: result.code,
        billed: chargedForThisCall(result),
        mayHaveBilled: false,
        attempts: answered.shared ? 0 : answered.outcome.attempts,
        cacheHit: answered.cacheHit,
        shared: answered.shared,
        latencyMs: performance.now() - started,
      });
      this.logger.debug(
        `verified ${maskPhone(normalized.phone)}: ${result.status} (code ${result.code}, billed ${result.billed}, cache ${answered.cacheHit})`,
      );
      return result;
    } catch (error) {
      if (error instanceof PhoneVerificationError) {
        this.emit({
          status: 'error',
          errorCode: error.code,
          billed: false,
          mayHaveBilled: error.mayHaveBilled,
          attempts: tally.attempts,
          cacheHit: false,
          shared: false,
          latencyMs: performance.now() - started,
        });
        this.logger.warn(
          // The upstream's status is not personal data, and says what went wrong.
          `verification of ${maskPhone(normalized.phone)} failed: ${error.code}${error.httpStatus ? ` (HTTP ${error.httpStatus})` : ''}${error.traceId ? ` (trace ${error.traceId})` : ''}`,
        );
      }
      throw error;
    }
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
    budgetKey: string | undefined,
  ): Promise<Answered> {
    // Ciphertext under a fresh IV never repeats: nothing to cache or share.
    if (request.encrypted) {
      return {
        outcome: await this.callUpstream(undefined, request, tally, budgetKey),
        cacheHit: false,
        shared: false,
      };
    }
    const key = this.keyOf(request);
    if (this.cache) {
      const cached = await this.readCache(key);
      if (cached)
        return {
          outcome: { result: cached, attempts: 0 },
          cacheHit: true,
          shared: false,
        };
    }
    if (!this.options.dedupe) {
      return {
        outcome: await this.callUpstream(key, request, tally, budgetKey),
        cacheHit: false,
        shared: false,
      };
    }
    // One call per identity in this process, then across instances.
    const { promise, shared } = this.dedupe.run(key, () =>
      this.callAcrossInstances(key, request, tally, budgetKey),
    );
    const flight = await promise;
    return {
      outcome: flight.outcome,
      cacheHit: false,
      shared: shared || flight.shared,
    };
  }

  private async callAcrossInstances(
    key: string,
    request: NormalizedVerificationRequest,
    tally: AttemptTally,
    budgetKey: string | undefined,
  ): Promise<Flight> {
    const call = () => this.callUpstream(key, request, tally, budgetKey);
    if (!this.flight) return { outcome: await call(), shared: false };
    const { value, shared } = await this.flight.run(key, call, (v) => ({
      ...v,
      attempts: 0,
    }));
    return { outcome: value, shared };
  }

  private async callUpstream(
    key: string | undefined,
    request: NormalizedVerificationRequest,
    tally: AttemptTally,
    budgetKey: string | undefined,
  ): Promise<ResilientOutcome> {
    const reservation = await this.budget?.reserve(budgetKey);
    let outcome: ResilientOutcome;
    try {
      outcome = await this.resilience.execute(
        () => this.client.check3e(request),
        tally,
      );
    } catch (error) {
      // Kept when the call may have been billed; else it was not spent.
      if (!(error instanceof PhoneVerificationError && error.mayHaveBilled)) {
        await reservation?.release();
      }
      throw error;
    }
    if (!outcome.result.billed) await reservation?.release();
    if (this.cache && key !== undefined) {
      await this.cache.set(key, outcome.result).catch(() => {
        // A failing shared store must not fail a verification already paid for.
        this.logger.warn('could not write the verification cache');
      });
    }
    return outcome;
  }

  private async readCache(
    key: string,
  ): Promise<PhoneVerificationResult | undefined> {
    try {
      return await this.cache?.get(key);
    } catch {
      this.logger.warn('could not read the verification cache; asking AceData');
      return undefined;
    }
  }

  private emit(event: VerificationEvent): void {
    if (!this.options.onVerification) return;
    try {
      this.options.onVerification(event);
    } catch {
      this.logger.warn('the onVerification hook threw; ignored');
    }
  }
}
