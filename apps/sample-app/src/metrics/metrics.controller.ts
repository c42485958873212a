import { Controller, Get, Header } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { MetricsReaders } from '../auth/public.decorator.js';
import { VerificationMetrics } from './verification-metrics.js';

/**
 * `GET /metrics` in Prometheus text format; needs a metrics key or an
 * operator key: it holds deployment-wide spend, which no caller may read.
 */
@ApiTags('metrics')
@MetricsReaders()
@ApiBearerAuth()
@SkipThrottle({ default: true, 'per-ip': true })
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: VerificationMetrics) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOkResponse({ description: 'Prometheus text exposition' })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
