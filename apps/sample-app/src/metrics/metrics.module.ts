import { Module } from '@nestjs/common';
import { CircuitBreakerMetrics } from './circuit-breaker.metrics.js';
import { LedgerMetrics } from './ledger.metrics.js';
import { MetricsController } from './metrics.controller.js';
import { SharedStoreMetrics } from './shared-store.metrics.js';
import { VerificationMetrics } from './verification-metrics.js';

/**
 * Prometheus metrics (prom-client) and their scrape endpoint: the
 * verifications (fed by the library's events), and the circuit, the shared
 * store and the ledger (read from the library when scraped).
 */
@Module({
  controllers: [MetricsController],
  providers: [
    VerificationMetrics,
    SharedStoreMetrics,
    LedgerMetrics,
    CircuitBreakerMetrics,
  ],
  exports: [VerificationMetrics],
})
export class MetricsModule {}
