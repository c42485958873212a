import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import {
  ExportResultCode,
  TraceState,
  type ExportResult,
} from '@opentelemetry/core';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import { OffThreadSpanExporter } from './off-thread-exporter.js';

/** Finished spans of two scopes: a remote parent with a trace state, a child, events, a link, an error. */
function someSpans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const remote = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: new TraceState('vendor=abc,other=1'),
  });
  const server = provider
    .getTracer('server-scope', '1.2.3')
    .startSpan(
      'POST /things/:id',
      { kind: SpanKind.SERVER, attributes: { 'http.route': '/things/:id' } },
      remote,
    );
  const child = provider.getTracer('library-scope').startSpan(
    'verify',
    {
      attributes: {
        count: 3,
        ratio: 0.5,
        ok: true,
        list: ['a', 'b'],
      },
      links: [{ context: server.spanContext(), attributes: { why: 'x' } }],
    },
    trace.setSpan(ROOT_CONTEXT, server),
  );
  child.addEvent('retry', { attempt: 2 });
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream 503' });
  child.end();
  server.end();
  return memory.getFinishedSpans();
}

/** Exports `spans` with `exporter`; resolves with its result. */
function exported(
  exporter: SpanExporter,
  spans: ReadableSpan[],
): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

describe('spans exported off the event loop', () => {
  /** Bodies received, per path; a path under /refuse/ gets a 400, /slow/ waits. */
  const received = new Map<string, Buffer>();
  const requests = new Map<string, number>();
  let receiver: Server;
  let base: string;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.set(req.url ?? '', Buffer.concat(chunks));
        requests.set(req.url ?? '', (requests.get(req.url ?? '') ?? 0) + 1);
        const status = req.url?.startsWith('/refuse/') ? 400 : 200;
        const delay = req.url?.startsWith('/slow/') ? 300 : 0;
        setTimeout(() => res.writeHead(status).end(), delay);
      });
    });
    await new Promise<void>((resolve) =>
      receiver.listen(0, '127.0.0.1', resolve),
    );
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => receiver.close(resolve)));

  const offThread = (path: string, protocol?: string) =>
    new OffThreadSpanExporter({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${base}${path}`,
      ...(protocol ? { OTEL_EXPORTER_OTLP_PROTOCOL: protocol } : {}),
    });

  it.each([
    ['http/protobuf (the default)', undefined, ProtobufExporter],
    ['http/json', 'http/json', JsonExporter],
  ])(
    'sends over %s the very bytes the SDK’s exporter sends from the event loop',
    async (_name, protocol, OnThread) => {
      const spans = someSpans();
      const onThread = new OnThread({ url: `${base}/on/${protocol}` });
      const exporter = offThread(`/off/${protocol}`, protocol);
      try {
        expect((await exported(onThread, spans)).code).toBe(
          ExportResultCode.SUCCESS,
        );
        expect((await exported(exporter, spans)).code).toBe(
          ExportResultCode.SUCCESS,
        );
      } finally {
        await Promise.all([onThread.shutdown(), exporter.shutdown()]);
      }
      const off = received.get(`/off/${protocol}`);
      expect(off?.length).toBeGreaterThan(200);
      expect(off).toEqual(received.get(`/on/${protocol}`));
    },
  );

  it('keeps one resource, each scope and the trace state', async () => {
    const exporter = offThread('/off/shape', 'http/json');
    try {
      await exported(exporter, someSpans());
    } finally {
      await exporter.shutdown();
    }
    const text = received.get('/off/shape')!.toString();
    const body = JSON.parse(text) as {
      resourceSpans: { scopeSpans: { scope: { name: string } }[] }[];
    };
    expect(body.resourceSpans).toHaveLength(1);
    expect(
      body.resourceSpans[0].scopeSpans.map((s) => s.scope.name).toSorted(),
    ).toEqual(['library-scope', 'server-scope']);
    expect(text).toContain('vendor=abc,other=1');
  });

  it('fails each batch the collector refuses, and goes on exporting', async () => {
    const exporter = offThread('/refuse/1');
    try {
      const refused = await exported(exporter, someSpans());
      expect(refused.code).toBe(ExportResultCode.FAILED);
      expect(refused.error?.message).toMatch(/Bad Request/);
      expect((await exported(exporter, someSpans())).code).toBe(
        ExportResultCode.FAILED,
      );
      expect(requests.get('/refuse/1')).toBe(2);
    } finally {
      await exporter.shutdown();
    }
  });

  it('sends what is on its way before shutdown resolves; after it, a batch fails at once', async () => {
    const exporter = offThread('/slow/1');
    const sent = exported(exporter, someSpans());
    await exporter.shutdown();
    expect(received.has('/slow/1')).toBe(true);
    expect((await sent).code).toBe(ExportResultCode.SUCCESS);
    const late = await exported(exporter, someSpans());
    expect(late.code).toBe(ExportResultCode.FAILED);
    expect(late.error?.message).toMatch(/span export thread/);
    await expect(exporter.forceFlush()).rejects.toThrow(/span export thread/);
  });
});
