import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { CircuitBreakerHealthIndicator } from './circuit-breaker.health.js';
import { HealthController } from './health.controller.js';
import { LedgerHealthIndicator } from './ledger.health.js';
import { RedisHealthIndicator } from './redis.health.js';
import { UpstreamReachability } from './upstream-reachability.js';

/** Liveness and readiness (`/health`, `/health/ready`), from the library's health snapshot and AceData's reachability. */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), HttpModule],
  controllers: [HealthController],
  providers: [
    CircuitBreakerHealthIndicator,
    RedisHealthIndicator,
    LedgerHealthIndicator,
    UpstreamReachability,
  ],
})
export class HealthModule {}
