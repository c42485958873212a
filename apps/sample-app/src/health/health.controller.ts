import { DEFAULT_BASE_URL } from '@app/phone-verification';
import { Controller, Get, Inject, UseFilters } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import {
  HealthCheck,
  HealthCheckService,
  HttpHealthIndicator,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { Public } from '../auth/public.decorator.js';
import { CircuitBreakerHealthIndicator } from './circuit-breaker.health.js';
import { HealthCheckResultFilter } from './health-check-result.filter.js';
import { RedisHealthIndicator } from './redis.health.js';
import {
  SAMPLE_APP_CONFIG,
  type SampleAppConfig,
} from '../sample-app.config.js';

/**
 * `GET /health`: liveness (the process answers). `GET /health/ready`:
 * readiness, which also reports whether AceData (or the sandbox) is reachable
 * the state of the library's circuit breaker, and the shared Redis.
 * The probe sends no token and no subject data, and costs nothing: any HTTP
 * answer from the host counts as reachable.
 */
@ApiTags('health')
@Public()
@SkipThrottle({ default: true, 'per-ip': true })
@UseFilters(HealthCheckResultFilter)
@Controller('health')
export class HealthController {
  private readonly upstreamUrl: string;

  constructor(
    private readonly health: HealthCheckService,
    private readonly http: HttpHealthIndicator,
    private readonly circuit: CircuitBreakerHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    @Inject(SAMPLE_APP_CONFIG) { acedata }: SampleAppConfig,
  ) {
    this.upstreamUrl = new URL(acedata.baseUrl ?? DEFAULT_BASE_URL).origin;
  }

  @Get()
  @HealthCheck()
  liveness(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  readiness(): Promise<HealthCheckResult> {
    return this.health.check([
      () =>
        this.http.pingCheck('acedata', this.upstreamUrl, {
          timeout: 2000,
          validateStatus: () => true,
          maxRedirects: 0,
        }),
      () => this.circuit.check(),
      () => this.redis.check(),
    ]);
  }
}
