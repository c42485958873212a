import { PhoneVerificationService } from '@app/phone-verification';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { VerificationMetrics } from './verification-metrics.js';

/**
 * Gauges read at scrape time: the shared Redis (up, how often it was lost,
 * whether its eviction policy is safe, when a budget counter was last found
 * missing; declared only with Redis) and the deployment's daily spend
 * budget (spent, remaining and the limit).
 * No label carries a caller key or subject data.
 */
@Injectable()
export class SharedStoreMetrics implements OnModuleInit {
  private readonly gauges: Gauge[] = [];

  constructor(
    private readonly metrics: VerificationMetrics,
    private readonly verification: PhoneVerificationService,
  ) {}

  onModuleInit(): void {
    const { verification } = this;
    const registers = [this.metrics.registry];
    // Without Redis the shared store's gauges are not declared at all: a
    // gauge without labels always has a value, and a 0 would read as "down".
    if (verification.health().sharedStore) {
      const up = new Gauge({
        name: 'phone_verification_shared_store_up',
        help: 'Whether the shared Redis is in use (1), away with per-instance fallbacks (0); absent without Redis',
        registers,
        collect() {
          this.set(verification.health().sharedStore?.shared ? 1 : 0);
        },
      });
      const fallbacks = new Gauge({
        name: 'phone_verification_shared_store_fallbacks',
        help: 'Times the shared Redis was lost since start (each a fallback to per-instance behaviour)',
        registers,
        collect() {
          this.set(verification.sharedStoreFallbacks());
        },
      });
      const evictionSafe = new Gauge({
        name: 'phone_verification_shared_store_eviction_safe',
        help: "Whether Redis's maxmemory-policy (the label) keeps leases and budget counters (1: noeviction) or can evict them (0); absent when unknown",
        labelNames: ['policy'] as const,
        registers,
        collect() {
          this.reset();
          const health = verification.health().sharedStore;
          if (health?.evictionSafe !== undefined) {
            this.set(
              { policy: health.evictionPolicy },
              health.evictionSafe ? 1 : 0,
            );
          }
        },
      });
      const counterLost = new Gauge({
        name: 'phone_verification_budget_counter_lost_timestamp_seconds',
        help: "When this instance last found a day's budget counter (the label) missing in Redis and re-seeded it; absent when never",
        labelNames: ['day'] as const,
        registers,
        collect() {
          this.reset();
          const lost = verification.health().sharedStore?.budgetCounterLost;
          if (lost) {
            this.set({ day: lost.day }, lost.detectedAt.getTime() / 1000);
          }
        },
      });
      const seedFailures = new Gauge({
        name: 'phone_verification_budget_seed_failures',
        help: "Times since start this instance found a new day's budget counter and could not read the usage ledger to seed it (calls refused, or counted from what it saw with failOpen)",
        registers,
        collect() {
          this.set(verification.health().sharedStore?.budgetSeedFailures ?? 0);
        },
      });
      this.gauges.push(up, fallbacks, evictionSafe, counterLost, seedFailures);
    }
    const budget = new Gauge({
      name: 'phone_verification_budget_billed_calls',
      help: "Today's deployment-wide spend budget (China day): billed calls spent, remaining, and the limit",
      labelNames: ['measure'] as const,
      registers,
      async collect() {
        const usage = await verification.budgetUsage().catch(() => []);
        const global = usage.find((u) => u.budgetKey === 'global');
        if (!global) return;
        this.set({ measure: 'spent' }, global.spent);
        this.set({ measure: 'remaining' }, global.remaining);
        this.set({ measure: 'limit' }, global.limit);
      },
    });
    this.gauges.push(budget);
  }
}
