import {
  Controller,
  Get,
  Req,
  ServiceUnavailableException,
  UseFilters,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import {
  HealthCheck,
  HealthCheckService,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { AuthFailureLimit } from '../auth/auth-failure-limit.js';
import { Public } from '../auth/public.decorator.js';
import { CircuitBreakerHealthIndicator } from './circuit-breaker.health.js';
import { HealthCheckResultFilter } from './health-check-result.filter.js';
import { LedgerHealthIndicator } from './ledger.health.js';
import { RedisHealthIndicator } from './redis.health.js';
import { UpstreamReachability } from './upstream-reachability.js';

/** What an unauthenticated caller learns from readiness: ready or not. */
type PlainReadiness = Pick<HealthCheckResult, 'status'>;

/** The request as readiness reads it. */
interface ReadinessRequest {
  headers: Record<string, unknown>;
  ip?: string;
}

/**
 * `GET /health`: liveness (the process answers). `GET /health/ready`:
 * readiness: whether AceData (or the sandbox) is reachable (one shared
 * probe, see {@link UpstreamReachability}), the library's circuit breaker,
 * the shared Redis and the usage ledger's store. Both are public and
 * unthrottled (orchestrators probe them); readiness shows its details
 * (breaker state, Redis state and eviction policy, the ledger's store) only
 * to a caller with a valid key, and a wrong key counts as a failed
 * authentication of its IP like anywhere else.
 */
@ApiTags('health')
@Public()
@SkipThrottle({ default: true, 'per-ip': true })
@UseFilters(HealthCheckResultFilter)
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly upstream: UpstreamReachability,
    private readonly circuit: CircuitBreakerHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly ledger: LedgerHealthIndicator,
    private readonly failures: AuthFailureLimit,
  ) {}

  @Get()
  @HealthCheck()
  liveness(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  async readiness(
    @Req() request: ReadinessRequest,
  ): Promise<HealthCheckResult | PlainReadiness> {
    const detailed = await this.authenticated(request);
    try {
      const result = await this.health.check([
        () => this.upstream.check(),
        () => this.circuit.check(),
        () => this.redis.check(),
        () => this.ledger.check(),
      ]);
      return detailed ? result : { status: result.status };
    } catch (error) {
      if (detailed || !(error instanceof ServiceUnavailableException)) {
        throw error;
      }
      throw new ServiceUnavailableException({ status: 'error' });
    }
  }

  /** A valid key from an address not blocked for failed attempts. */
  private async authenticated(request: ReadinessRequest): Promise<boolean> {
    if (request.headers.authorization === undefined) return false;
    return (await this.failures.authenticate(request)).kind === 'valid';
  }
}
