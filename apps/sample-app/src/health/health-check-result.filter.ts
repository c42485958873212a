import {
  Catch,
  ServiceUnavailableException,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

/**
 * Keeps terminus's own 503 body (which check is down) for the health routes,
 * where orchestrators and people expect it, instead of the API error shape.
 */
@Catch(ServiceUnavailableException)
export class HealthCheckResultFilter implements ExceptionFilter<ServiceUnavailableException> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: ServiceUnavailableException, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    this.adapterHost.httpAdapter.reply(
      ctx.getResponse(),
      exception.getResponse(),
      exception.getStatus(),
    );
  }
}
