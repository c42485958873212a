import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger as PinoLogger } from 'pino';
import { pinoHttp } from 'pino-http';
import { activeTraceIds } from '../tracing/tracing.js';
import { requestContext } from './request-context.js';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** Runs of digits long enough to be a phone or an ID number (or part of one). */
const DIGIT_RUNS = /\d{6,}[Xx]?/g;

/** The path without its query, and with phone- or ID-like digit runs masked. */
export function loggablePath(url: string): string {
  return url.split('?')[0].replace(DIGIT_RUNS, '***');
}

type Next = (error?: unknown) => void;

/**
 * One access-log line per request (pino-http): method, path without the
 * query, status, time, and the request id (the caller's `x-request-id` when
 * it looks like one, else the trace id with tracing on, else a new UUID,
 * echoed back). No headers and no body
 * are logged. The rest of the request runs inside the request context, so
 * every log line it writes carries the same id.
 */
export function createHttpLogger(logger: PinoLogger) {
  const httpLogger = pinoHttp({
    logger,
    // The id is settled before pino-http runs (Fastify gives the raw request
    // an id of its own, which pino-http would otherwise take).
    genReqId: (req: IncomingMessage) =>
      (req as IncomingMessage & { id: string }).id,
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        path: loggablePath(req.url),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      err: (err: { type?: string }) => ({ type: err.type }),
    },
    customLogLevel: (_req, res, error) =>
      error || res.statusCode >= 500
        ? 'error'
        : res.statusCode >= 400
          ? 'warn'
          : 'info',
  });
  return (req: IncomingMessage, res: ServerResponse, next: Next): void => {
    const incoming = req.headers['x-request-id'];
    // With tracing on, an id of our own is the request's trace id: one id
    // for the error answer, the log lines and the trace.
    const id =
      typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming)
        ? incoming
        : (activeTraceIds()?.trace_id ?? randomUUID());
    (req as IncomingMessage & { id: string }).id = id;
    // The exception filters quote it as the error's trace_id.
    req.headers['x-request-id'] = id;
    res.setHeader('x-request-id', id);
    httpLogger(req, res);
    requestContext.run({ requestId: id }, next);
  };
}
