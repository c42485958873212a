import { Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller.js';
import { VerificationMetrics } from './verification-metrics.js';

/** Verification metrics (prom-client) and their scrape endpoint. */
@Module({
  controllers: [MetricsController],
  providers: [VerificationMetrics],
  exports: [VerificationMetrics],
})
export class MetricsModule {}
