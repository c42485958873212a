import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { Observable } from 'rxjs';

/** The matched route's pattern, as Fastify or Express knows it. */
function routeOf(request: {
  routeOptions?: { url?: string };
  route?: { path?: unknown };
  baseUrl?: string;
}): string | undefined {
  const fastify = request.routeOptions?.url;
  if (fastify) return fastify;
  const path = request.route?.path;
  return typeof path === 'string'
    ? `${request.baseUrl ?? ''}${path}`
    : undefined;
}

/**
 * Tells the server span (`server-spans.ts`) which route a request matched,
 * so it is named `POST /identity/phone/check-3e` and carries
 * `http.route` (a pattern, never the path as sent). Without tracing there
 * is no metadata to fill, and it does nothing.
 */
@Injectable()
export class TraceRouteInterceptor implements NestInterceptor {
  intercept(
    execution: ExecutionContext,
    next: CallHandler,
  ): Observable<unknown> {
    const metadata = getRPCMetadata(context.active());
    if (metadata?.type === RPCType.HTTP) {
      metadata.route = routeOf(execution.switchToHttp().getRequest());
    }
    return next.handle();
  }
}
