import { PhoneVerificationService } from '@app/phone-verification';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { VerificationMetrics } from './verification-metrics.js';

/**
 * Gauges read at scrape time: the shared Redis (up, and how often it was
 * lost) and the deployment's daily spend budget (spent and remaining). No
 * label carries a caller key or subject data.
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
    const up = new Gauge({
      name: 'phone_verification_shared_store_up',
      help: 'Whether the shared Redis is in use (1), away with per-instance fallbacks (0); absent without Redis',
      registers,
      collect() {
        const state = verification.sharedStoreState();
        if (state !== 'disabled') this.set(state === 'up' ? 1 : 0);
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
    this.gauges.push(up, fallbacks, budget);
  }
}
