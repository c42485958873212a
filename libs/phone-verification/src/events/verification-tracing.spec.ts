import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import { Test } from '@nestjs/testing';
import {
  PhoneVerificationModule,
  PhoneVerificationService,
  upstreamSpanAttributes,
} from '../index.js';
import { rejectionOf } from '../testing/rejection-of.js';
import { ScriptedUpstream } from '../testing/scripted-upstream.js';
import { VERIFY_SPAN_NAME } from './verification-tracing.js';

const TOKEN = 'tracing-token-5d1c0a7e';
const SUBJECT = {
  name: '张三',
  phone: '13812345678',
  idCard: '11010519491231002X',
};
const ANSWER = {
  status: 200,
  body: { result: '0', description: 'ok', isp: 'Mobile', result_detail: null },
};

describe('tracing: one span per verify(), the requests to AceData under it', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const contextManager = new AsyncLocalStorageContextManager();
  const undici = new UndiciInstrumentation({
    startSpanHook: () => upstreamSpanAttributes(),
  });
  let upstream: ScriptedUpstream;
  let service: PhoneVerificationService;

  beforeAll(async () => {
    context.setGlobalContextManager(contextManager.enable());
    trace.setGlobalTracerProvider(provider);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    undici.setTracerProvider(provider);
    upstream = await ScriptedUpstream.start();
    const moduleRef = await Test.createTestingModule({
      imports: [
        PhoneVerificationModule.forRoot({
          apiToken: TOKEN,
          baseUrl: upstream.url,
          timeoutMs: 1_500,
          retry: { maxAttempts: 2, baseDelayMs: 1 },
          circuitBreaker: false,
          cache: {
            ttlMs: 60_000,
            secret: 'tracing-cache-secret-0123456789abcdef',
          },
        }),
      ],
    }).compile();
    service = moduleRef.get(PhoneVerificationService);
  });

  afterAll(async () => {
    undici.disable();
    await upstream.close();
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  beforeEach(() => {
    exporter.reset();
    upstream.reset();
    upstream.respond(ANSWER);
  });

  const verifySpans = (): ReadableSpan[] =>
    exporter.getFinishedSpans().filter((s) => s.name === VERIFY_SPAN_NAME);
  const clientSpans = (): ReadableSpan[] =>
    exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT);

  it('a fetched result: its span holds the outcome, a retried request its resend count, AceData gets traceparent', async () => {
    let calls = 0;
    upstream.respond(() =>
      ++calls === 1
        ? { status: 503, body: { error: { code: 'busy' } } }
        : ANSWER,
    );
    await service.verify({ ...SUBJECT, phone: '13812340001' });

    const [span] = verifySpans();
    expect(verifySpans()).toHaveLength(1);
    expect(span.kind).toBe(SpanKind.INTERNAL);
    expect(span.attributes).toMatchObject({
      'phone_verification.status': 'consistent',
      'phone_verification.result_code': 0,
      'phone_verification.charged': true,
      'phone_verification.billable': 'true',
      'phone_verification.may_have_billed': false,
      'phone_verification.cache': 'miss',
      'phone_verification.attempts': 2,
      'phone_verification.verify_mode': 'short',
      'phone_verification.encrypted': false,
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);

    const clients = clientSpans();
    expect(clients).toHaveLength(2);
    for (const client of clients) {
      expect(client.parentSpanContext?.spanId).toBe(span.spanContext().spanId);
      expect(client.spanContext().traceId).toBe(span.spanContext().traceId);
      expect(client.attributes['http.request.method']).toBe('POST');
      expect(client.attributes['url.full']).toBe(
        `${upstream.url}/identity/phone/check-3e`,
      );
    }
    expect(
      clients.map((c) => c.attributes['http.request.resend_count']),
    ).toEqual([undefined, 1]);
    expect(
      clients.map((c) => c.attributes['http.response.status_code']),
    ).toEqual([503, 200]);
    // Each request carries its own client span's context to AceData.
    expect(upstream.requests.map((r) => r.headers.traceparent)).toEqual(
      clients.map(
        (c) => `00-${c.spanContext().traceId}-${c.spanContext().spanId}-01`,
      ),
    );
  });

  it('a cache hit: charged false, cache hit, no request', async () => {
    await service.verify(SUBJECT);
    exporter.reset();
    await service.verify(SUBJECT);
    const [span] = verifySpans();
    expect(span.attributes).toMatchObject({
      'phone_verification.cache': 'hit',
      'phone_verification.charged': false,
      'phone_verification.attempts': 0,
    });
    expect(clientSpans()).toHaveLength(0);
  });

  it('a failure sets the span status to the error code, and says when it may have billed', async () => {
    upstream.respond({ hang: true });
    await rejectionOf(service.verify({ ...SUBJECT, phone: '13812340002' }));
    const [span] = verifySpans();
    expect(span.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'upstream_timeout',
    });
    expect(span.attributes).toMatchObject({
      'error.type': 'upstream_timeout',
      'phone_verification.may_have_billed': true,
      'phone_verification.charged': false,
      'phone_verification.attempts': 1,
    });
  });

  it('bad input is an error span with no request under it', async () => {
    await rejectionOf(
      service.verify({ ...SUBJECT, idCard: '110105194912310021' }),
    );
    const [span] = verifySpans();
    expect(span.attributes['error.type']).toBe('invalid_input');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(clientSpans()).toHaveLength(0);
  });

  it('no span, event or attribute holds the name, phone, ID number or token', async () => {
    upstream.respond(() => ({
      status: 200,
      body: { result: '1', description: 'mismatch', isp: 'Mobile' },
      headers: { 'x-trace-id': 'acedata-trace-1' },
    }));
    await service.verify({ ...SUBJECT, phone: '13812340003' });
    upstream.respond({
      status: 401,
      body: { error: { code: 'invalid_token' } },
    });
    await rejectionOf(service.verify({ ...SUBJECT, phone: '13812340004' }));
    const spans = exporter.getFinishedSpans();
    expect(spans.length).toBeGreaterThanOrEqual(4);
    const written = JSON.stringify(
      spans.map((s) => [s.name, s.attributes, s.events, s.status, s.links]),
    );
    for (const secret of [
      SUBJECT.name,
      '1381234000',
      '138-1234',
      SUBJECT.idCard,
      SUBJECT.idCard.slice(0, 14),
      TOKEN,
    ]) {
      expect(written).not.toContain(secret);
    }
    // The upstream's own trace id is there, to follow the call at AceData.
    expect(written).toContain('acedata-trace-1');
  });
});
