import type {
  IncomingMessage,
  RequestListener,
  Server,
  ServerResponse,
} from 'node:http';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
} from '@opentelemetry/api';
import { RPCType, setRPCMetadata, type RPCMetadata } from '@opentelemetry/core';

/** Probes and scrapes would drown the verifications. */
const UNTRACED = /^\/(health|metrics)(\/|\?|$)/;

/** The tracer of the app's server spans (its instrumentation scope). */
const SCOPE = 'acedata-sample-app/http-server';

/** What the HTTP semantic conventions record of a request as it arrives. */
function requestAttributes(req: IncomingMessage): Attributes {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  const [host, port] = (req.headers.host ?? '').split(':');
  const requestId = req.headers['x-request-id'];
  return {
    'http.request.method': req.method ?? '_OTHER',
    'url.path': query === -1 ? url : url.slice(0, query),
    'url.scheme': 'http',
    'server.address': host,
    ...(port ? { 'server.port': Number(port) } : {}),
    'network.protocol.version': req.httpVersion,
    'client.address': req.socket.remoteAddress,
    'user_agent.original': req.headers['user-agent'],
    // The caller's request id, so an error's trace_id is found here too.
    ...(typeof requestId === 'string'
      ? { 'http.request.header.x-request-id': [requestId] }
      : {}),
  };
}

/**
 * A SERVER span per request to `server` (Express or Fastify alike: both
 * serve through Node's `http.Server`), following the HTTP semantic
 * conventions: the caller's `traceparent` continued, the span active while
 * the request is handled (its body's events too), named `POST <route>` with
 * `http.route` once the app has said which route matched
 * (`TraceRouteInterceptor`), its status code recorded and a 5xx marked as an
 * error. In place of `@opentelemetry/instrumentation-http`'s server side,
 * which cost about a quarter of the app's verifications per second
 * (`npm run bench:tracing`); without a tracer provider the spans are
 * non-recording and cost almost nothing.
 */
export function traceServerRequests(server: Server): void {
  const handlers = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  const tracer = trace.getTracer(SCOPE);
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    for (const handler of handlers) handler.call(server, req, res);
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (UNTRACED.test(req.url ?? '')) return handle(req, res);
    const method = req.method ?? 'HTTP';
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    // Attributes once the span is sampled: the samplers the app takes
    // (OTEL_TRACES_SAMPLER) decide on the trace id and the parent alone.
    const span = tracer.startSpan(method, { kind: SpanKind.SERVER }, parent);
    const metadata: RPCMetadata = { type: RPCType.HTTP, span };
    const active = setRPCMetadata(trace.setSpan(parent, span), metadata);
    if (span.isRecording()) {
      span.setAttributes(requestAttributes(req));
      res.once('close', () => ended(span, method, res, metadata.route));
    }
    // The body's events come from the socket: they run in this context too.
    const emit = req.emit;
    req.emit = function (this: IncomingMessage, ...args) {
      return context.with(active, emit, this, ...args);
    } as typeof req.emit;
    context.with(active, handle, undefined, req, res);
  });
}

/** Records how the request ended on its span, and ends it. */
function ended(
  span: Span,
  method: string,
  res: ServerResponse,
  route: string | undefined,
): void {
  const status = res.statusCode;
  span.setAttribute('http.response.status_code', status);
  if (route) {
    span.setAttribute('http.route', route);
    span.updateName(`${method} ${route}`);
  }
  if (status >= 500) {
    span.setAttribute('error.type', String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  } else if (!res.writableFinished) {
    // The caller went away before the answer was sent.
    span.setAttribute('error.type', 'aborted');
  }
  span.end();
}
