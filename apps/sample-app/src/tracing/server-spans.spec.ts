import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { getRPCMetadata, W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { traceServerRequests } from './server-spans.js';

const PARENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT_SPAN = 'b7ad6b7169203331';

/**
 * POSTs a small body to `path`, `bodyAfterMs` after the headers if given;
 * resolves with the status once the answer is read.
 */
function post(
  server: Server,
  path: string,
  headers = {},
  bodyAfterMs?: number,
): Promise<number> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        port,
        path,
        method: 'POST',
        headers: { host: `127.0.0.1:${port}`, ...headers },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    if (bodyAfterMs === undefined) return void req.end('{"name":"x"}');
    req.flushHeaders();
    setTimeout(() => req.end('{"name":"x"}'), bodyAfterMs);
  });
}

describe('the app’s server spans', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  /** The span active in the handler once the body was read, per path. */
  const activeAfterBody = new Map<string, string | undefined>();
  /** The active trace id and sampled flag once the body was read, per path. */
  const activeTraceOf = new Map<string, string>();
  let server: Server;

  beforeAll(async () => {
    context.setGlobalContextManager(
      new AsyncLocalStorageContextManager().enable(),
    );
    trace.setGlobalTracerProvider(provider);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    server = createServer((req, res) => {
      const metadata = getRPCMetadata(context.active());
      if (metadata) metadata.route = '/things/:id';
      req.resume();
      // The body's events come from the socket, not from this call.
      req.on('end', () => {
        const active = trace.getActiveSpan()?.spanContext();
        activeAfterBody.set(req.url ?? '', active?.spanId);
        activeTraceOf.set(
          req.url ?? '',
          `${active?.traceId}-${(active?.traceFlags ?? 0) & 1}`,
        );
        res.statusCode = req.url === '/things/fail' ? 503 : 200;
        res.end('{}');
      });
    });
    traceServerRequests(server);
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve),
    );
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });
  beforeEach(() => exporter.reset());

  const finished = async () => {
    for (let i = 0; i < 50 && exporter.getFinishedSpans().length === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    return exporter.getFinishedSpans();
  };

  it('continues the caller’s trace, names the route, and stays active while the body is read', async () => {
    const status = await post(server, '/things/42?x=1', {
      traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-01`,
      'x-request-id': 'caller-req-1',
    });
    expect(status).toBe(200);
    const [span] = await finished();
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.name).toBe('POST /things/:id');
    expect(span.spanContext().traceId).toBe(PARENT_TRACE);
    expect(span.parentSpanContext?.spanId).toBe(PARENT_SPAN);
    expect(span.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.path': '/things/42',
      'http.route': '/things/:id',
      'http.response.status_code': 200,
      'http.request.header.x-request-id': ['caller-req-1'],
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(activeAfterBody.get('/things/42?x=1')).toBe(
      span.spanContext().spanId,
    );
  });

  it('stays active for a body that arrives after the headers', async () => {
    expect(await post(server, '/things/late', {}, 50)).toBe(200);
    const [span] = await finished();
    expect(span.attributes['url.path']).toBe('/things/late');
    expect(activeAfterBody.get('/things/late')).toBe(span.spanContext().spanId);
  });

  it('carries an unsampled caller’s trace without recording a span', async () => {
    const status = await post(
      server,
      '/things/unsampled',
      { traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-00` },
      20,
    );
    expect(status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(exporter.getFinishedSpans()).toEqual([]);
    // Its children still belong to the caller's trace, unsampled.
    expect(activeTraceOf.get('/things/unsampled')).toBe(`${PARENT_TRACE}-0`);
  });

  it('marks a 5xx answer as an error', async () => {
    expect(await post(server, '/things/fail')).toBe(503);
    const [span] = await finished();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('503');
  });

  it('does not trace probes and scrapes', async () => {
    expect(await post(server, '/health/ready')).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(activeAfterBody.get('/health/ready')).toBeUndefined();
  });
});
