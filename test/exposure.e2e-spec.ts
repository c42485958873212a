import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  KEY_A,
  startHarness,
  startSampleApp,
  type Harness,
  type SampleAppProcess,
} from './support/sample-app-process.js';

/** A stand-in AceData origin that answers anything after `delayMs`, counting requests. */
async function slowOrigin(delayMs: number) {
  let requests = 0;
  const server: Server = createServer((_req, res) => {
    requests++;
    setTimeout(() => res.end('slow'), delayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe.each(['fastify', 'express'])(
  'what the sample app exposes (%s)',
  (adapter) => {
    describe('failed authentication', () => {
      let h: Harness;
      beforeAll(async () => {
        h = await startHarness({ SAMPLE_APP_ADAPTER: adapter });
      });
      afterAll(() => h.close());

      it('is limited per IP on /metrics too: 30 × 401, then 429 with Retry-After, even for the right key', async () => {
        const statuses: number[] = [];
        let retryAfter: string | null = null;
        for (let i = 0; i < 60; i++) {
          const res = await fetch(`${h.url}/metrics`, {
            headers: { authorization: `Bearer wrong-key-${i}-xxxxxxxx` },
          });
          statuses.push(res.status);
          retryAfter ??= res.headers.get('retry-after');
          await res.arrayBuffer();
        }
        expect(statuses.slice(0, 30)).toEqual(Array(30).fill(401));
        expect(statuses.slice(30)).toEqual(Array(30).fill(429));
        expect(Number(retryAfter)).toBeGreaterThan(0);
        // Blocked: a right guess answers like a wrong one.
        const right = await fetch(`${h.url}/metrics`, {
          headers: { authorization: `Bearer ${KEY_A}` },
        });
        expect(right.status).toBe(429);
        // The public routes still answer.
        expect((await fetch(`${h.url}/health`)).status).toBe(200);
      });
    });

    describe('/health/ready', () => {
      let origin: Awaited<ReturnType<typeof slowOrigin>>;
      let app: SampleAppProcess;
      beforeAll(async () => {
        // Slow enough for most of the 500 probes to overlap (the rest reuse
        // its answer), and far inside the app's 2 s probe timeout even on a
        // loaded machine: at 1 s, 500 requests on 2 busy cores pushed the
        // probe's answer past it once (503 for all).
        origin = await slowOrigin(400);
        app = await startSampleApp({
          SAMPLE_APP_ADAPTER: adapter,
          ACEDATA_API_TOKEN: 'exposure-e2e-token',
          ACEDATA_BASE_URL: origin.url,
          SAMPLE_APP_API_KEYS: KEY_A,
        });
      });
      afterAll(async () => {
        await app.stop();
        await origin.close();
      });

      it('500 concurrent probes make one upstream probe and all get the same answer, without details', async () => {
        const answers = await Promise.all(
          Array.from({ length: 500 }, async () => {
            const res = await fetch(`${app.url}/health/ready`);
            return { status: res.status, body: (await res.json()) as unknown };
          }),
        );
        expect(origin.requests()).toBe(1);
        expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200]));
        for (const { body } of answers) expect(body).toEqual({ status: 'ok' });
        // Within the next few seconds the answer is reused.
        await (await fetch(`${app.url}/health/ready`)).arrayBuffer();
        expect(origin.requests()).toBe(1);
      });

      it('shows the breaker and Redis details only to a caller with a valid key', async () => {
        const res = await fetch(`${app.url}/health/ready`, {
          headers: { authorization: `Bearer ${KEY_A}` },
        });
        const body = (await res.json()) as {
          info: Record<string, { status: string; state?: string }>;
        };
        expect(res.status).toBe(200);
        expect(body.info.acedata.status).toBe('up');
        expect(body.info.acedata_circuit.state).toBe('closed');
        expect(body.info.redis).toMatchObject({ status: 'up' });
        const wrong = await fetch(`${app.url}/health/ready`, {
          headers: { authorization: 'Bearer not-a-key-xxxxxxxxxx' },
        });
        expect(await wrong.json()).toEqual({ status: 'ok' });
      });
    });
  },
);
