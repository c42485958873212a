import request from 'supertest';
import { TEST_ID_CARD, TEST_NAME } from '@app/phone-verification/testing';
import {
  KEY_A,
  KEY_B,
  startHarness,
  type Harness,
} from './support/sample-app-process.js';

const PATH = '/identity/phone/check-3e';
const BODY = { name: TEST_NAME, phone: '13800000000', id_card: TEST_ID_CARD };

describe('sample app hardening', () => {
  describe('defaults', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ SAMPLE_APP_RATE_LIMIT_PER_IP_PER_MINUTE: '6' });
    });
    afterAll(() => h.close());

    it('sends helmet’s security headers and no x-powered-by', async () => {
      const res = await request(h.url).get('/health');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
      expect(res.headers['x-frame-options']).toBeDefined();
      expect(res.headers['content-security-policy']).toBeDefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
    });

    it('has CORS off unless configured', async () => {
      const res = await request(h.url)
        .options(PATH)
        .set('origin', 'https://evil.example')
        .set('access-control-request-method', 'POST');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('echoes a sane x-request-id, and uses it as the error trace_id', async () => {
      const res = await request(h.url)
        .post(PATH)
        .set('x-request-id', 'req-12345678')
        .send(BODY);
      expect(res.status).toBe(401);
      expect(res.headers['x-request-id']).toBe('req-12345678');
      expect(res.body.trace_id).toBe('req-12345678');
      const odd = await request(h.url)
        .get('/health')
        .set('x-request-id', 'bad id\twith spaces');
      expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('throttles per client IP across keys (so keys cannot be guessed at will)', async () => {
      // Three requests were made above; /health is not throttled.
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        const key = i % 2 === 0 ? KEY_A : `guess-${i}-abcdefghijkl`;
        statuses.push(
          (
            await request(h.url)
              .post(PATH)
              .set('authorization', `Bearer ${key}`)
              .send(BODY)
          ).status,
        );
      }
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(
        3,
      );
      const throttled = await request(h.url)
        .post(PATH)
        .set('authorization', `Bearer ${KEY_B}`)
        .send(BODY);
      expect(throttled.status).toBe(429);
      expect(throttled.body).toMatchObject({
        success: false,
        error: { code: 'too_many_requests' },
      });
    });
  });

  describe.each(['express', 'fastify'])('on %s', (adapter) => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ SAMPLE_APP_ADAPTER: adapter });
    });
    afterAll(() => h.close());

    it('sends helmet’s headers, a request id, and the same id as an error’s trace_id', async () => {
      const res = await request(h.url).get('/health');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toBeDefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const denied = await request(h.url)
        .post(PATH)
        .set('x-request-id', 'trace-abcdef12')
        .send(BODY);
      expect(denied.headers['x-request-id']).toBe('trace-abcdef12');
      expect(denied.body.trace_id).toBe('trace-abcdef12');
      // The access line is written when the response finishes: wait for it.
      for (
        let i = 0;
        i < 40 && !h.app.output().includes('"reqId":"trace-abcdef12"');
        i++
      ) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(h.app.output()).toContain('"reqId":"trace-abcdef12"');
    });

    it('refuses a body over 8 KB with 413 in AceData’s shape', async () => {
      const res = await request(h.url)
        .post(PATH)
        .set('authorization', `Bearer ${KEY_A}`)
        .send({ ...BODY, name: '张'.repeat(5000) });
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({
        success: false,
        error: { code: 'payload_too_large' },
      });
    });
  });

  describe('the per-key rate limit', () => {
    let h: Harness;
    beforeEach(async () => {
      h = await startHarness({ SAMPLE_APP_RATE_LIMIT_PER_MINUTE: '10' });
    });
    afterEach(() => h.close());

    it('cannot be bypassed by respelling "Bearer" or the spaces before the key', async () => {
      const spellings = [
        'Bearer ',
        'bearer ',
        'BEARER  ',
        'bEaRer\t',
        'Bearer   ',
      ];
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) {
        const res = await request(h.url)
          .post(PATH)
          .set('authorization', `${spellings[i % spellings.length]}${KEY_A}`)
          .send(BODY);
        statuses.push(res.status);
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    });

    it('keys failed authentication on the IP: distinct invalid keys share one limit', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) {
        const res = await request(h.url)
          .post(PATH)
          .set('authorization', `Bearer invalid-key-${i}-abcdefghij`)
          .send(BODY);
        statuses.push(res.status);
      }
      expect(statuses.filter((s) => s === 401)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(10);
      // A valid key has its own budget, untouched by the guessing.
      const valid = await request(h.url)
        .post(PATH)
        .set('authorization', `Bearer ${KEY_A}`)
        .send(BODY);
      expect(valid.status).toBe(200);
    });
  });

  describe('an answer shared with an identical call in flight', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({}, { latencyMs: 300 });
    });
    afterAll(() => h.close());

    it('says billed: false and cached: true (this request cost nothing)', async () => {
      const send = () =>
        request(h.url)
          .post(PATH)
          .set('authorization', `Bearer ${KEY_A}`)
          .send(BODY);
      const answers = await Promise.all([send(), send(), send()]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      expect(h.sandbox.calls().total).toBe(1);
      const bodies = answers.map((a) => a.body as Record<string, unknown>);
      expect(bodies.filter((b) => b.billed === true)).toHaveLength(1);
      expect(
        bodies.filter((b) => b.billed === false && b.cached === true),
      ).toHaveLength(2);
    });
  });

  describe('CORS_ORIGINS', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ CORS_ORIGINS: 'https://app.example.com' });
    });
    afterAll(() => h.close());

    it('allows exactly the configured origins', async () => {
      const allowed = await request(h.url)
        .options(PATH)
        .set('origin', 'https://app.example.com')
        .set('access-control-request-method', 'POST');
      expect(allowed.headers['access-control-allow-origin']).toBe(
        'https://app.example.com',
      );
      const other = await request(h.url)
        .options(PATH)
        .set('origin', 'https://evil.example')
        .set('access-control-request-method', 'POST');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });
  });
});
