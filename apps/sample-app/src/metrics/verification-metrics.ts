import type { VerificationEvent } from '@app/phone-verification';
import { Injectable } from '@nestjs/common';
import {
  Counter,
  Histogram,
  Registry,
  collectDefaultMetrics,
} from 'prom-client';

/**
 * Prometheus metrics fed by the library's `onVerification` hook. Labels are
 * low-cardinality and subject-free: status, billed, cache, error code. Never a name,
 * phone, ID number, key or token.
 */
@Injectable()
export class VerificationMetrics {
  readonly registry = new Registry();

  private readonly verifications = new Counter({
    name: 'phone_verifications_total',
    help: 'Verifications answered, by status, whether this call was billed, and cache outcome',
    labelNames: ['status', 'billed', 'cache'] as const,
    registers: [this.registry],
  });

  private readonly attempts = new Counter({
    name: 'phone_verification_upstream_attempts_total',
    help: 'Calls made to AceData, retries included',
    registers: [this.registry],
  });

  private readonly maybeBilled = new Counter({
    name: 'phone_verification_maybe_billed_total',
    help: 'Failed verifications that may have been billed (timeouts, unreadable answers)',
    registers: [this.registry],
  });

  private readonly errors = new Counter({
    name: 'phone_verification_errors_total',
    help: "Failed verifications by the library's error code (upstream_timeout, budget_exhausted, ledger_unavailable…)",
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  private readonly duration = new Histogram({
    name: 'phone_verification_duration_seconds',
    help: 'Time spent in verify(), by status',
    labelNames: ['status'] as const,
    buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Each label set's series, looked up once (labels are few and fixed). */
  private readonly series = new Map<string, { inc(): void }>();
  private readonly durations = new Map<
    string,
    { observe(seconds: number): void }
  >();

  /** The `onVerification` hook. */
  record(event: VerificationEvent): void {
    const cache = event.cacheHit ? 'hit' : event.shared ? 'shared' : 'miss';
    const key = `${event.status}|${event.billed}|${cache}`;
    let series = this.series.get(key);
    if (!series) {
      series = this.verifications.labels(
        event.status,
        String(event.billed),
        cache,
      );
      this.series.set(key, series);
    }
    series.inc();
    this.attempts.inc(event.attempts);
    if (event.mayHaveBilled) this.maybeBilled.inc();
    if (event.errorCode) this.errors.labels(event.errorCode).inc();
    let duration = this.durations.get(event.status);
    if (!duration) {
      duration = this.duration.labels(event.status);
      this.durations.set(event.status, duration);
    }
    duration.observe(event.latencyMs / 1000);
  }
}
