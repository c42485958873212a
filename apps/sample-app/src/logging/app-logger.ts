import type { LoggerService, LogLevel } from '@nestjs/common';
import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';
import type { LogDestination } from './log-destination.js';
import { activeTraceIds } from '../tracing/tracing.js';
import { requestContext } from './request-context.js';

/** Header and body paths that never reach a log line, wherever they appear. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.body',
  'res.headers["set-cookie"]',
];

/**
 * One JSON object per line on `destination` (stdout); every line of a
 * request has its `reqId`, and with tracing on its `trace_id` and `span_id`.
 */
export function createRootLogger(
  level: LevelWithSilent,
  destination: LogDestination,
): PinoLogger {
  return pino(
    {
      level,
      base: { service: 'sample-app' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // The request's id, and with tracing on the active span's ids.
      mixin: () => {
        const context = requestContext.getStore();
        return {
          ...(context ? { reqId: context.requestId } : {}),
          ...activeTraceIds(),
        };
      },
    },
    destination,
  );
}

const PINO_LEVEL: Readonly<Record<LogLevel, LevelWithSilent>> = {
  verbose: 'trace',
  debug: 'debug',
  log: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};

/**
 * Nest's `LoggerService` on pino (what nestjs-pino does; its releases do not
 * yet support NestJS 12 on Node 20). Nest passes the context as the last
 * argument; error stacks are kept only for errors of our own code paths.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: PinoLogger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: LogLevel, message: unknown, params: unknown[]): void {
    const last = params.at(-1);
    const context = typeof last === 'string' ? last : undefined;
    const text = message instanceof Error ? message.message : String(message);
    this.logger[PINO_LEVEL[level]]({ context }, text);
  }
}
