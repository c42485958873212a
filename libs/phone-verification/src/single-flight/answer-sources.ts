import type { BilledCall } from '../billing/billed-call.js';
import type { VerificationCache } from '../cache/verification-cache.js';
import type { SubjectKeyer } from '../cache/subject-key.js';
import type { PhoneVerificationResult } from '../dto/phone-verification-result.js';
import type { VerifyOptions } from '../dto/verify-options.js';
import type {
  AttemptTally,
  ResilientOutcome,
} from '../resilience/upstream-resilience.js';
import type { NormalizedVerificationRequest } from '../validation/normalize-request.js';
import type { VerificationSingleFlight } from './single-flight.js';

/** How one `verify()` was answered. */
export interface Answer {
  readonly outcome: ResilientOutcome;
  readonly cacheHit: boolean;
  readonly shared: boolean;
}

/**
 * Where one verification's answer comes from, cheapest first: the cache,
 * the call in flight for the same identity (in this process or on another
 * instance), or a billed call of its own, whose answer is then cached.
 */
export class AnswerSources {
  constructor(
    private readonly cache: VerificationCache | null,
    private readonly singleFlight: VerificationSingleFlight,
    private readonly billedCall: BilledCall,
    /** The HMAC of a subject: cache and single-flight keys. */
    private readonly keys: SubjectKeyer,
  ) {}

  async answer(
    request: NormalizedVerificationRequest,
    tally: AttemptTally,
    options: VerifyOptions,
  ): Promise<Answer> {
    // Ciphertext under a fresh IV never repeats: nothing to cache or share.
    if (request.encrypted) {
      const outcome = await this.billedCall.run(request, tally, options);
      return { outcome, cacheHit: false, shared: false };
    }
    const key = this.keys.key(request);
    // A cached answer: under its key, else, in a store older than this
    // process, under the key it had up to 0.1 (an answer cached before an
    // upgrade is not paid for again; it expires as it was cached). That key
    // is made on the first miss, then kept.
    let legacyKey: string | undefined;
    const lookup = async (): Promise<PhoneVerificationResult | undefined> => {
      if (!this.cache) return undefined;
      const found = await this.cache.lookup(key);
      if (found || !this.cache.outlivesProcess) return found;
      legacyKey ??= this.keys.legacyKey(request);
      return this.cache.lookup(legacyKey);
    };
    const cached = await lookup();
    if (cached) {
      const outcome = { result: cached, attempts: 0 };
      return { outcome, cacheHit: true, shared: false };
    }
    let cachedMeanwhile = false;
    const flight = await this.singleFlight.run(key, async () => {
      // The lease is ours: a leader that just finished may have cached it.
      const meanwhile = await lookup();
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
}
