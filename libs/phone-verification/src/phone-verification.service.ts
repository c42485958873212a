import { Inject, Injectable, Logger } from '@nestjs/common';
import { AceDataClient } from './acedata/acedata.client.js';
import type { PhoneVerificationCacheStore } from './cache/cache-store.interface.js';
import { LruCacheStore } from './cache/lru-cache.store.js';
import { createSubjectKeyer, type SubjectKeyer } from './cache/subject-key.js';
import { VerificationCache } from './cache/verification-cache.js';
import type { PhoneVerificationRequest } from './dto/phone-verification-request.js';
import type { PhoneVerificationResult } from './dto/phone-verification-result.js';
import { PhoneVerificationError } from './errors/phone-verification.error.js';
import type { VerificationEvent } from './events/verification-event.js';
import {
  PHONE_VERIFICATION_CLOCK,
  PHONE_VERIFICATION_RESOLVED_OPTIONS,
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
 * One request flows: validate → cache → join an identical call in flight →
 * retries and circuit breaker → AceData; one result or one typed error.
 */
@Injectable()
export class PhoneVerificationService {
  private readonly logger = new Logger(PhoneVerificationService.name);
  private readonly keyOf: SubjectKeyer;
  private readonly cache?: VerificationCache;
  private readonly dedupe = new InFlightDedupe<ResilientOutcome>();

  constructor(
    @Inject(PHONE_VERIFICATION_RESOLVED_OPTIONS)
    private readonly options: ResolvedPhoneVerificationOptions,
    private readonly client: AceDataClient,
    private readonly resilience: UpstreamResilience,
    @Inject(PHONE_VERIFICATION_CLOCK) private readonly clock: Clock,
  ) {
    this.keyOf = createSubjectKeyer(
      options.cache ? options.cache.secret : undefined,
    );
    if (options.cache) {
      const store: PhoneVerificationCacheStore =
        options.cache.store ?? new LruCacheStore(options.cache.maxEntries);
      this.cache = new VerificationCache(store, options.cache.ttlMs, clock);
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
  ): Promise<PhoneVerificationResult> {
    const normalized = normalizeVerificationRequest(
      request,
      this.options.defaultVerifyMode,
    );
    const started = performance.now();
    const tally: AttemptTally = { attempts: 0 };
    try {
      const answered = await this.answer(normalized, tally);
      const { result } = answered.outcome;
      this.emit({
        status: result.status,
        code: result.code,
        billed: result.billed && !answered.cacheHit && !answered.shared,
        mayHaveBilled: false,
        attempts: answered.shared ? 0 : answered.outcome.attempts,
        cacheHit: answered.cacheHit,
        shared: answered.shared,
        latencyMs: performance.now() - started,
      });
      this.logger.debug(
        `verified ${maskPhone(normalized.phone)}: ${result.status} (code ${result.code}, billed ${result.billed}, cache ${answered.cacheHit})`,
      );
      if (answered.cacheHit) return { ...result, fromCache: true };
      return answered.shared ? { ...result, shared: true } : result;
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
          `verification of ${maskPhone(normalized.phone)} failed: ${error.code}${error.traceId ? ` (trace ${error.traceId})` : ''}`,
        );
      }
      throw error;
    }
  }

  /** The circuit breaker's state, for readiness checks. */
  circuitState(): CircuitBreakerState {
    return this.resilience.circuitState();
  }

  private async answer(
    request: NormalizedVerificationRequest,
    tally: AttemptTally,
  ): Promise<Answered> {
    // Ciphertext under a fresh IV never repeats: nothing to cache or share.
    if (request.encrypted) {
      return {
        outcome: await this.callUpstream(undefined, request, tally),
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
        outcome: await this.callUpstream(key, request, tally),
        cacheHit: false,
        shared: false,
      };
    }
    const { promise, shared } = this.dedupe.run(key, () =>
      this.callUpstream(key, request, tally),
    );
    return { outcome: await promise, cacheHit: false, shared };
  }

  private async callUpstream(
    key: string | undefined,
    request: NormalizedVerificationRequest,
    tally: AttemptTally,
  ): Promise<ResilientOutcome> {
    const outcome = await this.resilience.execute(
      () => this.client.check3e(request),
      tally,
    );
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
