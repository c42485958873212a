import { Redis } from 'ioredis';
import request from 'supertest';
import { ScriptedUpstream } from '@app/phone-verification/testing';
import { OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.js';
import {
  createTestDatabase,
  type TestDatabase,
} from './support/postgres-database.js';
import { startTestRedis, type TestRedis } from './support/redis-server.js';
import {
  ACEDATA_TEST_TOKEN,
  KEY_A,
  startSampleApp,
  type SampleAppProcess,
} from './support/sample-app-process.js';

const PATH = '/identity/phone/check-3e';
const SUBJECT = {
  name: '欧阳娜娜',
  phone: '15912345678',
  id_card: '440304199001011233',
};
const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;
const VERIFY_SPAN = 'phone_verification.verify';
const ANSWER = {
  status: 200,
  body: {
    result: '0',
    description: 'ok',
    isp: 'Mobile',
    result_detail: null,
    trace_id: '5f0c2a9e-7b41-4c1d-9e2a-31d8c0b6a7f4',
  },
};

/**
 * The sample app with an OTLP endpoint set, sending to a real OTLP/HTTP
 * receiver on loopback, with Redis and PostgreSQL (the ledger) on: one
 * trace per request, from the server span through the library's span to
 * the request to AceData (which gets `traceparent`), with nothing
 * identifying anywhere in what was exported.
 */
describe('OpenTelemetry: a verification traced end to end', () => {
  let receiver: OtlpReceiver;
  let upstream: ScriptedUpstream;
  let redis: TestRedis;
  let db: TestDatabase;
  let app: SampleAppProcess;

  beforeAll(async () => {
    [receiver, upstream, redis, db] = await Promise.all([
      OtlpReceiver.start(),
      ScriptedUpstream.start(),
      startTestRedis(),
      createTestDatabase(),
    ]);
    app = await startSampleApp({
      ACEDATA_API_TOKEN: ACEDATA_TEST_TOKEN,
      ACEDATA_BASE_URL: upstream.url,
      ACEDATA_TIMEOUT_MS: '1500',
      SAMPLE_APP_API_KEYS: KEY_A,
      SAMPLE_APP_RATE_LIMIT_PER_MINUTE: '100000',
      PHONE_VERIFICATION_BREAKER: 'off',
      PHONE_VERIFICATION_RETRY_MAX_ATTEMPTS: '2',
      REDIS_URL: redis.url,
      PHONE_VERIFICATION_KEY_SECRET: 'tracing-e2e-secret-0123456789abcdef',
      PHONE_VERIFICATION_REDIS_NAMESPACE: `trace${Date.now()}`,
      DATABASE_URL: db.url,
      LOG_LEVEL: 'debug',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'tracing-e2e',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await Promise.all([
      receiver?.close(),
      upstream?.close(),
      redis?.close(),
      db?.drop(),
    ]);
  });

  beforeEach(() => {
    upstream.reset();
    upstream.respond(ANSWER);
  });

  const verify = (body: object) =>
    request(app.url)
      .post(PATH)
      .set('authorization', `Bearer ${KEY_A}`)
      .send(body);

  /** The trace of a request: its id is the request id the app answered with. */
  async function traceOf(
    traceId: string,
    complete: (spans: ReceivedSpan[]) => boolean,
  ): Promise<ReceivedSpan[]> {
    await receiver.until(() => complete(receiver.trace(traceId)));
    return receiver.trace(traceId);
  }

  it('server span → the library span → the client span to AceData, which gets traceparent; Redis and the ledger in the same trace', async () => {
    const res = await verify(SUBJECT);
    expect(res.status).toBe(200);
    const traceId = res.headers['x-request-id'] as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const spans = await traceOf(
      traceId,
      // Every kind expected, whichever export batch each came in.
      (s) =>
        s.some((span) => span.kind === SERVER && !span.parentSpanId) &&
        s.some((span) => span.name === VERIFY_SPAN) &&
        ['undici', 'ioredis', 'pg'].every((scope) =>
          s.some((span) => span.scope.includes(scope)),
        ),
    );
    const server = spans.find((s) => s.kind === SERVER && !s.parentSpanId);
    const verifySpan = spans.find((s) => s.name === VERIFY_SPAN);
    const client = spans.find(
      (s) => s.kind === CLIENT && s.scope.includes('undici'),
    );
    expect(server?.attributes['url.path']).toBe(PATH);
    expect(server?.attributes['http.route']).toBe(PATH);
    expect(server?.name).toBe(`POST ${PATH}`);
    expect(verifySpan?.parentSpanId).toBe(server?.spanId);
    expect(verifySpan?.attributes).toMatchObject({
      'phone_verification.status': 'consistent',
      'phone_verification.charged': true,
      'phone_verification.cache': 'miss',
      'phone_verification.attempts': 1,
      'phone_verification.acedata_trace_id':
        '5f0c2a9e-7b41-4c1d-9e2a-31d8c0b6a7f4',
    });
    expect(client?.parentSpanId).toBe(verifySpan?.spanId);
    expect(client?.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.full': `${upstream.url}${PATH}`,
      'http.response.status_code': 200,
    });
    expect(upstream.requests[0].headers.traceparent).toBe(
      `00-${traceId}-${client?.spanId}-01`,
    );
    // Redis (cache, single flight) and PostgreSQL (the ledger's rows).
    const redisSpans = spans.filter((s) => s.scope.includes('ioredis'));
    const pgSpans = spans.filter((s) => s.scope.includes('pg'));
    expect(redisSpans.length).toBeGreaterThan(0);
    expect(pgSpans.length).toBeGreaterThan(0);
    expect(
      redisSpans.every((s) => s.parentSpanId && s.traceId === traceId),
    ).toBe(true);
  });

  it('every log line of the request carries its trace_id and span_id', async () => {
    const res = await verify({ ...SUBJECT, phone: '15912345679' });
    const traceId = res.headers['x-request-id'] as string;
    const spans = await traceOf(
      traceId,
      (s) =>
        s.some((span) => span.name === VERIFY_SPAN) &&
        s.some((span) => span.kind === SERVER && !span.parentSpanId),
    );
    const lines = app
      .output()
      .split('\n')
      .filter((line) => line.includes(traceId))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    // The access line and the library's debug line ("verified 159****5679").
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const spanIds = new Set(spans.map((s) => s.spanId));
    for (const line of lines) {
      expect(line.trace_id).toBe(traceId);
      expect(spanIds.has(line.span_id as string)).toBe(true);
    }
  });

  it("a failure: the error answer's trace_id is in the logs and in the traces, the library span marked as an error", async () => {
    // No trace id of AceData's: the answer quotes the request's, the trace's.
    upstream.respond({ status: 503, body: { error: { code: 'busy' } } });
    const res = await verify({ ...SUBJECT, phone: '15912345670' });
    expect(res.status).toBe(502);
    const traceId = res.body.trace_id as string;
    expect(res.headers['x-request-id']).toBe(traceId);
    const spans = await traceOf(
      traceId,
      // The library's span ends after its requests': it may come later.
      (s) =>
        s.some((span) => span.name === VERIFY_SPAN) &&
        s.filter(
          (span) => span.kind === CLIENT && span.scope.includes('undici'),
        ).length === 2,
    );
    const verifySpan = spans.find((s) => s.name === VERIFY_SPAN);
    expect(verifySpan?.status.code).toBe(ERROR);
    expect(verifySpan?.attributes['error.type']).toBe(
      verifySpan?.status.message,
    );
    expect(verifySpan?.attributes['phone_verification.attempts']).toBe(2);
    const clients = spans.filter(
      (s) => s.kind === CLIENT && s.scope.includes('undici'),
    );
    expect(
      clients.map((c) => c.attributes['http.request.resend_count']).toSorted(),
    ).toEqual([1, undefined]);
    expect(app.output()).toContain(`"trace_id":"${traceId}"`);
  });

  it("a caller's own x-request-id is kept, and recorded on the server span", async () => {
    const res = await verify(SUBJECT).set('x-request-id', 'caller-req-0001');
    expect(res.headers['x-request-id']).toBe('caller-req-0001');
    await receiver.until((spans) =>
      spans.some((s) =>
        String(s.attributes['http.request.header.x-request-id']).includes(
          'caller-req-0001',
        ),
      ),
    );
  });

  it("a caller's unsampled trace is carried on: nothing of it exported, and no traceparent to AceData", async () => {
    const unsampled = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const res = await verify({ ...SUBJECT, phone: '15912345672' }).set(
      'traceparent',
      `00-${unsampled}-00f067aa0ba902b7-00`,
    );
    expect(res.status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0].headers.traceparent).toBeUndefined();
    // A sampled request after it is exported; the unsampled one never is.
    const sampled = await verify({ ...SUBJECT, phone: '15912345673' });
    const sampledId = sampled.headers['x-request-id'] as string;
    await traceOf(sampledId, (s) =>
      s.some((span) => span.name === VERIFY_SPAN),
    );
    expect(upstream.requests[1].headers.traceparent).toMatch(
      new RegExp(`^00-${sampledId}-[0-9a-f]{16}-01$`),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.trace(unsampled)).toEqual([]);
  });

  it('no raw name, phone, ID number, AceData token or API key in anything exported, nor in any Redis command', async () => {
    // What ioredis's own tracing would record verbatim: every command and
    // argument the app sends, as Redis received it.
    const client = new Redis(redis.url);
    const monitor = await client.monitor();
    const commands: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) =>
      commands.push(args.join(' ')),
    );
    await verify({ ...SUBJECT, verify_mode: '1' });
    upstream.respond({
      status: 401,
      body: { error: { code: 'invalid_token' } },
    });
    await verify({ ...SUBJECT, phone: '15912345671' });
    await verify({ ...SUBJECT, id_card: '440304199001011234' });
    await verify(SUBJECT).set('authorization', 'Bearer wrong-key-6c1d9e2f0a3b');
    await new Promise((resolve) => setTimeout(resolve, 500));
    monitor.disconnect();
    client.disconnect();
    expect(receiver.bodies.length).toBeGreaterThan(0);
    expect(commands.some((c) => /^(evalsha|eval|set) /i.test(c))).toBe(true);
    const everything = [
      ...receiver.bodies.map(({ body }) => body.toString('utf8')),
      ...commands,
    ].join('\n');
    for (const secret of [
      SUBJECT.name,
      SUBJECT.phone,
      '1591234567',
      SUBJECT.id_card,
      '44030419900101123',
      ACEDATA_TEST_TOKEN,
      KEY_A,
      'wrong-key-6c1d9e2f0a3b',
    ]) {
      expect(everything).not.toContain(secret);
    }
  });
});

describe('OpenTelemetry over http/json, and off without an endpoint', () => {
  let receiver: OtlpReceiver;
  let upstream: ScriptedUpstream;

  beforeAll(async () => {
    [receiver, upstream] = await Promise.all([
      OtlpReceiver.start(),
      ScriptedUpstream.start(),
    ]);
    upstream.respond(ANSWER);
  });
  afterAll(() => Promise.all([receiver.close(), upstream.close()]));

  const env = {
    ACEDATA_API_TOKEN: ACEDATA_TEST_TOKEN,
    SAMPLE_APP_API_KEYS: KEY_A,
  };

  it('OTEL_EXPORTER_OTLP_PROTOCOL=http/json sends the same trace as JSON', async () => {
    const app = await startSampleApp({
      ...env,
      ACEDATA_BASE_URL: upstream.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    try {
      const res = await request(app.url)
        .post(PATH)
        .set('authorization', `Bearer ${KEY_A}`)
        .send(SUBJECT);
      const traceId = res.headers['x-request-id'] as string;
      await receiver.until((spans) =>
        spans.some((s) => s.traceId === traceId && s.name === VERIFY_SPAN),
      );
      expect(receiver.bodies[0].contentType).toContain('application/json');
    } finally {
      await app.stop();
    }
  }, 60_000);

  it('without an endpoint nothing is sent and ids are plain UUIDs; a bad protocol fails the boot naming the variable', async () => {
    const before = receiver.bodies.length;
    const app = await startSampleApp({
      ...env,
      ACEDATA_BASE_URL: upstream.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });
    try {
      const res = await request(app.url)
        .post(PATH)
        .set('authorization', `Bearer ${KEY_A}`)
        .send(SUBJECT);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(upstream.requests.at(-1)?.headers.traceparent).toBeUndefined();
      expect(app.output()).not.toContain('trace_id');
    } finally {
      await app.stop();
    }
    expect(receiver.bodies.length).toBe(before);
    await expect(
      startSampleApp({
        ...env,
        ACEDATA_BASE_URL: upstream.url,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc-web',
      }),
    ).rejects.toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL/);
  }, 60_000);
});
