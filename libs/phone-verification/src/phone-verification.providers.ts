import { randomBytes } from 'node:crypto';
import { HttpService } from '@nestjs/axios';
import type { Provider } from '@nestjs/common';
import { AceDataClient } from './acedata/acedata.client.js';
import { MemoryBudgetLedger } from './budget/budget-ledger.js';
import { RedisBudgetLedger } from './budget/redis-budget-ledger.js';
import { SpendBudget } from './budget/spend-budget.js';
import type { PhoneVerificationCacheStore } from './cache/cache-store.interface.js';
import { LruCacheStore } from './cache/lru-cache.store.js';
import { RedisCacheStore } from './cache/redis-cache.store.js';
import { VerificationCache } from './cache/verification-cache.js';
import { systemClock, type Clock } from './clock.js';
import { VerificationReporter } from './events/verification-reporter.js';
import { loadOpenTelemetryApi } from './events/verification-tracing.js';
import type { UsageLedger } from './ledger/usage-ledger.js';
import {
  PHONE_VERIFICATION_BUDGET,
  PHONE_VERIFICATION_CACHE,
  PHONE_VERIFICATION_CACHE_STORE,
  PHONE_VERIFICATION_CLOCK,
  PHONE_VERIFICATION_KEY_SECRET,
  PHONE_VERIFICATION_LEDGER,
  PHONE_VERIFICATION_RESOLVED_OPTIONS,
  PHONE_VERIFICATION_SHARED_REDIS,
} from './phone-verification.constants.js';
import { PHONE_VERIFICATION_MODULE_OPTIONS } from './phone-verification.module-definition.js';
import {
  resolvePhoneVerificationOptions,
  type PhoneVerificationModuleOptions,
  type ResolvedPhoneVerificationOptions,
} from './phone-verification.options.js';
import { RedisSingleFlight } from './single-flight/redis-single-flight.js';
import { VerificationSingleFlight } from './single-flight/single-flight.js';
import type { SharedRedis } from './shared-store/shared-redis.js';
import { UpstreamResilience } from './resilience/upstream-resilience.js';

type Resolved = ResolvedPhoneVerificationOptions;
const RESOLVED = PHONE_VERIFICATION_RESOLVED_OPTIONS;

/** A provider of one slice of the resolved options. */
function slice<T>(provide: string, pick: (options: Resolved) => T): Provider {
  return { provide, useFactory: pick, inject: [RESOLVED] };
}

/** The secret of subject keys: shared by instances when there is a shared store, else per process. */
function subjectKeySecret(options: Resolved): string {
  if (options.redis) return options.redis.secret;
  if (options.cache) return options.cache.secret;
  return randomBytes(32).toString('hex');
}

/**
 * How the module's parts are built from its options. Each part is given
 * only its slice; the swappable ones (clock, cache store) sit behind
 * exported tokens so a test can override them.
 */
export const phoneVerificationProviders: Provider[] = [
  {
    provide: RESOLVED,
    useFactory: (options: PhoneVerificationModuleOptions) =>
      resolvePhoneVerificationOptions(options),
    inject: [PHONE_VERIFICATION_MODULE_OPTIONS],
  },
  slice(PHONE_VERIFICATION_KEY_SECRET, subjectKeySecret),
  { provide: PHONE_VERIFICATION_CLOCK, useValue: systemClock },
  {
    provide: AceDataClient,
    inject: [HttpService, RESOLVED],
    useFactory: (http: HttpService, o: Resolved) =>
      new AceDataClient(http, o.client),
  },
  {
    provide: UpstreamResilience,
    inject: [RESOLVED, PHONE_VERIFICATION_CLOCK],
    useFactory: (o: Resolved, clock: Clock) =>
      new UpstreamResilience(o.resilience, clock),
  },
  {
    provide: PHONE_VERIFICATION_CACHE_STORE,
    inject: [RESOLVED, PHONE_VERIFICATION_SHARED_REDIS],
    useFactory: (
      o: Resolved,
      shared: SharedRedis | null,
    ): PhoneVerificationCacheStore | null => {
      if (!o.cache) return null;
      if (o.cache.store) return o.cache.store;
      return shared
        ? new RedisCacheStore(shared)
        : new LruCacheStore(o.cache.maxEntries);
    },
  },
  {
    provide: PHONE_VERIFICATION_CACHE,
    inject: [
      RESOLVED,
      PHONE_VERIFICATION_CACHE_STORE,
      PHONE_VERIFICATION_CLOCK,
    ],
    useFactory: (
      o: Resolved,
      store: PhoneVerificationCacheStore | null,
      clock: Clock,
    ) =>
      o.cache && store
        ? new VerificationCache(
            store,
            o.cache.ttlMs,
            clock,
            // A shared (or custom) store gets an in-process tier in front.
            store instanceof LruCacheStore
              ? undefined
              : new LruCacheStore(o.cache.maxEntries),
            o.client.resultCodes,
          )
        : null,
  },
  {
    provide: VerificationSingleFlight,
    inject: [
      RESOLVED,
      PHONE_VERIFICATION_SHARED_REDIS,
      PHONE_VERIFICATION_CLOCK,
    ],
    useFactory: (o: Resolved, shared: SharedRedis | null, clock: Clock) =>
      new VerificationSingleFlight(
        o.dedupe,
        shared && o.redis
          ? new RedisSingleFlight(shared, o.redis.singleFlight, clock)
          : null,
      ),
  },
  {
    provide: PHONE_VERIFICATION_BUDGET,
    inject: [
      RESOLVED,
      PHONE_VERIFICATION_SHARED_REDIS,
      PHONE_VERIFICATION_CLOCK,
      PHONE_VERIFICATION_KEY_SECRET,
      PHONE_VERIFICATION_LEDGER,
    ],
    useFactory: (
      o: Resolved,
      shared: SharedRedis | null,
      clock: Clock,
      secret: string,
      usage: UsageLedger | null,
    ) => {
      if (!o.budget) return null;
      // A day's counter that Redis lost (or this replica never saw) starts
      // from the usage ledger's count, when there is one.
      const ledger = shared
        ? new RedisBudgetLedger(
            shared,
            o.budget.failOpen,
            usage ? (day) => usage.billedOn(day) : undefined,
          )
        : new MemoryBudgetLedger();
      return new SpendBudget(o.budget, ledger, secret, clock);
    },
  },
  {
    provide: VerificationReporter,
    inject: [RESOLVED],
    useFactory: async (o: Resolved) => {
      // Spans when the app has @opentelemetry/api (an optional peer).
      await loadOpenTelemetryApi();
      return new VerificationReporter(o.onVerification);
    },
  },
];
