import request from 'supertest';
import {
  TEST_ID_CARD,
  TEST_NAME,
  startSandbox,
} from '@app/phone-verification/testing';
import {
  KEY_A,
  METRICS_KEY,
  OPERATOR_KEY,
  KEY_B,
  startHarness,
  startSampleApp,
  type Harness,
} from './support/sample-app-process.js';

const PATH = '/identity/phone/check-3e';
const CONSISTENT = {
  name: TEST_NAME,
  phone: '13800000000',
  id_card: TEST_ID_CARD,
};

/** Runs the app with an environment it must refuse, and returns its output. */
async function refusedBoot(env: NodeJS.ProcessEnv): Promise<string> {
  const error: unknown = await startSampleApp(env).then(
    async (app) => {
      await app.stop();
      return new Error('expected the app to refuse to boot');
    },
    (e: unknown) => e,
  );
  return (error as Error).message;
}

describe('the sample app', () => {
  describe('health and docs', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ SAMPLE_APP_API_DOCS: 'on' });
    });
    afterAll(() => h.close());

    it('GET /health answers without a key', async () => {
      const res = await request(h.url).get('/health');
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('ok');
    });

    it('GET /health/ready reports the upstream as up', async () => {
      const res = await request(h.url)
        .get('/health/ready')
        .set('authorization', `Bearer ${KEY_A}`);
      expect(res.status).toBe(200);
      expect(res.body.details.acedata.status).toBe('up');
      expect(res.body.details.acedata_circuit).toEqual({
        status: 'up',
        state: 'closed',
      });
      expect(h.sandbox.calls().total).toBe(0);
    });

    it('GET /docs-json lists the endpoint, its auth and the sandbox examples', async () => {
      const res = await request(h.url).get('/docs-json');
      expect(res.status).toBe(200);
      const operation = res.body.paths[PATH].post;
      expect(operation.security).toEqual([{ bearer: [] }]);
      expect(Object.keys(operation.responses)).toEqual(
        expect.arrayContaining([
          '200',
          '400',
          '401',
          '429',
          '502',
          '503',
          '504',
        ]),
      );
      const schema = res.body.components.schemas.Check3eRequestDto;
      expect(schema.required).toEqual(
        expect.arrayContaining(['name', 'phone', 'id_card']),
      );
      expect(schema.properties.id_card.example).toBe(TEST_ID_CARD);
      expect(schema.properties.phone.example).toBe('13800000000');
    });

    it('serves the docs UI at /docs', async () => {
      const res = await request(h.url).get('/docs');
      expect(res.status).toBe(200);
      expect(res.text).toMatch(/swagger/i);
    });
  });

  it('GET /health/ready reports the upstream as down when it is unreachable', async () => {
    const gone = await startSandbox();
    const url = gone.url;
    await gone.close();
    const app = await startSampleApp({
      ACEDATA_API_TOKEN: 'token-for-nothing',
      ACEDATA_BASE_URL: url,
      SAMPLE_APP_API_KEYS: KEY_A,
    });
    try {
      const res = await request(app.url)
        .get('/health/ready')
        .set('authorization', `Bearer ${KEY_A}`);
      expect(res.status).toBe(503);
      expect(res.body.details.acedata.status).toBe('down');
      expect((await request(app.url).get('/health')).status).toBe(200);
      // With a real token and no SAMPLE_APP_API_DOCS, no docs, key or not.
      for (const path of ['/docs', '/docs-json']) {
        expect((await request(app.url).get(path)).status).toBe(404);
        const withKey = await request(app.url)
          .get(path)
          .set('authorization', `Bearer ${KEY_A}`);
        expect(withKey.status).toBe(404);
      }
    } finally {
      await app.stop();
    }
  });

  describe('throttling per caller key', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ SAMPLE_APP_RATE_LIMIT_PER_MINUTE: '3' });
    });
    afterAll(() => h.close());

    it('answers 429 in AceData’s shape past the limit, and only for that key', async () => {
      const post = (key: string) =>
        request(h.url)
          .post(PATH)
          .set('authorization', `Bearer ${key}`)
          .send(CONSISTENT);
      for (let i = 0; i < 3; i++) expect((await post(KEY_A)).status).toBe(200);
      const throttled = await post(KEY_A);
      expect(throttled.status).toBe(429);
      expect(throttled.body).toMatchObject({
        success: false,
        error: { code: 'too_many_requests' },
      });
      expect(throttled.headers['retry-after']).toBeDefined();
      expect((await post(KEY_B)).status).toBe(200);
      expect(h.sandbox.calls().total).toBe(4);
    });
  });

  describe('resilience through HTTP', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({
        PHONE_VERIFICATION_BREAKER_CONSECUTIVE_FAILURES: '2',
        PHONE_VERIFICATION_BREAKER_COOLDOWN_MS: '60000',
        PHONE_VERIFICATION_RETRY_MAX_ATTEMPTS: '1',
        PHONE_VERIFICATION_CACHE_TTL_MS: '60000',
        PHONE_VERIFICATION_CACHE_SECRET:
          'e2e-cache-secret-0123456789abcdef0123',
      });
    });
    afterAll(() => h.close());
    const post = (phone: string) =>
      request(h.url)
        .post(PATH)
        .set('authorization', `Bearer ${KEY_A}`)
        .send({ ...CONSISTENT, phone });

    it('caches a definitive answer: the second identical request costs nothing', async () => {
      expect((await post('13800000001')).body).toMatchObject({
        result: '1',
        billed: true,
        cached: false,
      });
      // This request cost nothing: it says so.
      expect((await post('13800000001')).body).toMatchObject({
        result: '1',
        billed: false,
        cached: true,
      });
      expect(h.sandbox.calls().byPhone['13800000001']).toEqual({
        calls: 1,
        billed: 1,
      });
    });

    it('exposes subject-free Prometheus metrics at /metrics, to metrics and operator keys only', async () => {
      expect((await request(h.url).get('/metrics')).status).toBe(401);
      const as = (key: string) =>
        request(h.url).get('/metrics').set('authorization', `Bearer ${key}`);
      // A caller key would read deployment-wide spend: refused.
      expect((await as(KEY_A)).status).toBe(403);
      expect((await as(OPERATOR_KEY)).status).toBe(200);
      // A metrics key reads the metrics and nothing else.
      expect(
        (
          await request(h.url)
            .get('/usage?from=2026-01-01&to=2026-01-02')
            .set('authorization', `Bearer ${METRICS_KEY}`)
        ).status,
      ).toBe(403);
      expect(
        (
          await request(h.url)
            .post('/identity/phone/check-3e')
            .set('authorization', `Bearer ${METRICS_KEY}`)
            .send({})
        ).status,
      ).toBe(403);
      const res = await as(METRICS_KEY);
      expect(res.status).toBe(200);
      expect(res.text).toMatch(
        /phone_verifications_total\{status="inconsistent",billed="true",cache="miss"\} 1/,
      );
      expect(res.text).toMatch(
        /phone_verifications_total\{status="inconsistent",billed="false",cache="hit"\} 1/,
      );
      for (const raw of [TEST_NAME, TEST_ID_CARD, '13800000001', KEY_A]) {
        expect(res.text).not.toContain(raw);
      }
    });

    it('opens the breaker after repeated failures: 503 fast, readiness down', async () => {
      expect((await post('13600000500')).status).toBe(502);
      expect((await post('13600000500')).status).toBe(502);
      const before = h.sandbox.calls().total;
      const res = await post('13800000000');
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('upstream_unavailable');
      expect(h.sandbox.calls().total).toBe(before);
      const ready = await request(h.url)
        .get('/health/ready')
        .set('authorization', `Bearer ${KEY_A}`);
      expect(ready.status).toBe(503);
      expect(ready.body.details.acedata_circuit).toEqual({
        status: 'down',
        state: 'open',
      });
    });
  });

  describe('configuration at boot', () => {
    it('refuses to boot in production without an AceData token, naming the variable', async () => {
      const message = await refusedBoot({
        NODE_ENV: 'production',
        SAMPLE_APP_API_KEYS: KEY_A,
      });
      expect(message).toMatch(
        /ACEDATA_API_TOKEN is required when NODE_ENV=production/,
      );
    });

    it('refuses to boot with a token but no caller keys', async () => {
      const message = await refusedBoot({ ACEDATA_API_TOKEN: 'some-token' });
      expect(message).toMatch(/SAMPLE_APP_API_KEYS is required/);
    });

    it('refuses a plaintext remote AceData URL, naming the variable', async () => {
      const message = await refusedBoot({
        ACEDATA_API_TOKEN: 'secret-token-do-not-print',
        ACEDATA_BASE_URL: 'http://api.acedata.cloud',
        SAMPLE_APP_API_KEYS: KEY_A,
      });
      expect(message).toMatch(/ACEDATA_BASE_URL uses http:.*plaintext/);
      expect(message).not.toContain('secret-token-do-not-print');
    });

    it('refuses a cache without a secret', async () => {
      expect(
        await refusedBoot({ PHONE_VERIFICATION_CACHE_TTL_MS: '1000' }),
      ).toMatch(/PHONE_VERIFICATION_CACHE_SECRET must be at least 32/);
    });

    it('refuses a malformed ACEDATA_TIMEOUT_MS, naming the variable', async () => {
      expect(await refusedBoot({ ACEDATA_TIMEOUT_MS: '15s' })).toMatch(
        /ACEDATA_TIMEOUT_MS must be a number/,
      );
    });

    it('refuses a bad PORT', async () => {
      expect(await refusedBoot({ PORT: 'eighty' })).toMatch(
        /PORT must be a whole number/,
      );
    });
  });

  describe('sandbox mode (no AceData token)', () => {
    it('starts its own sandbox, says so loudly, and accepts the development key', async () => {
      const app = await startSampleApp({});
      try {
        expect(app.output()).toMatch(/SANDBOX MODE/);
        expect(app.output()).toMatch(/development key \\?"sandbox-dev-key/);
        const res = await request(app.url)
          .post(PATH)
          .set('authorization', 'Bearer sandbox-dev-key')
          .send(CONSISTENT);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({
          result: '0',
          status: 'consistent',
          billed: true,
        });
        // The docs are public in sandbox mode: no key.
        expect((await request(app.url).get('/docs-json')).status).toBe(200);
      } finally {
        expect(await app.stop()).toBe(0);
      }
    });
  });

  describe('graceful shutdown', () => {
    it('on SIGTERM finishes the verification in flight, then exits 0', async () => {
      const h = await startHarness({}, { latencyMs: 700 });
      try {
        const inFlight = request(h.url)
          .post(PATH)
          .set('authorization', `Bearer ${KEY_A}`)
          .send(CONSISTENT)
          .then((res) => res);
        // Let the request reach the sandbox before the signal.
        await new Promise((r) => setTimeout(r, 250));
        expect(h.sandbox.calls().total).toBe(1);
        const exitCode = h.app.stop();
        const res = await inFlight;
        expect(res.status).toBe(200);
        expect(res.body.result).toBe('0');
        expect(await exitCode).toBe(0);
        await expect(request(h.url).get('/health')).rejects.toThrow(
          /ECONNREFUSED/,
        );
      } finally {
        await h.close();
      }
    });
  });
});
