import { AxiosError, create, type AxiosInstance } from 'axios';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rejectionOf } from '../testing/rejection-of.js';
import { ScriptedUpstream } from '../testing/scripted-upstream.js';
import { progressOf } from './call-progress.js';
import { UndiciAxiosAdapter } from './undici-axios.adapter.js';

describe('UndiciAxiosAdapter', () => {
  let upstream: ScriptedUpstream;
  let url: string;
  let transport: UndiciAxiosAdapter;
  let client: AxiosInstance;

  beforeAll(async () => {
    upstream = await ScriptedUpstream.start();
    url = upstream.url;
  });
  afterAll(() => upstream.close());
  beforeEach(() => {
    upstream.reset();
    transport = new UndiciAxiosAdapter({ keepAliveIdleMs: 1_000 });
    client = create({ adapter: transport.adapter });
  });
  afterEach(() => transport.close());

  it('posts the headers and JSON body, and returns status, headers and text', async () => {
    upstream.respond({
      status: 200,
      body: { ok: true },
      headers: { 'x-trace-id': 'trace-1' },
    });
    const response = await client.post(
      `${url}/check?x=1`,
      { a: 1 },
      { headers: { authorization: 'Bearer t' } },
    );
    expect(response.status).toBe(200);
    expect(response.headers['x-trace-id']).toBe('trace-1');
    expect(response.data).toEqual({ ok: true });
    const [seen] = upstream.requests;
    expect(seen).toMatchObject({
      method: 'POST',
      url: '/check?x=1',
      rawBody: '{"a":1}',
    });
    expect(seen.headers.authorization).toBe('Bearer t');
  });

  it('joins baseURL and url, and adds params, as axios does', async () => {
    upstream.respond({ status: 200, body: {} });
    const based = create({
      adapter: transport.adapter,
      baseURL: `${url}/api/`,
    });
    await based.get('/v1/check');
    await based.get('v1/check', { params: { a: 'b c' } });
    await based.get(`${url}/other`);
    expect(upstream.requests.map((r) => r.url)).toEqual([
      '/api/v1/check',
      '/api/v1/check?a=b+c',
      '/other',
    ]);
  });

  it('keeps the raw text when told to, and rejects a status validateStatus refuses', async () => {
    upstream.respond({ status: 503, rawBody: 'not json' });
    const raw = await client.post(`${url}/x`, 'b', {
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
    });
    expect(raw.status).toBe(503);
    expect(raw.data).toBe('not json');
    const error = await rejectionOf(client.post(`${url}/x`, 'b'), AxiosError);
    expect(error.response?.status).toBe(503);
    expect(progressOf(error)).toEqual({
      written: true,
      answeredStatus: 503,
      bodyBytes: 8,
    });
  });

  it('a refused connection was never written', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    const error = await rejectionOf(
      client.post(`http://127.0.0.1:${port}/x`, 'b'),
      AxiosError,
    );
    expect(error.code).toBe('ECONNREFUSED');
    expect(progressOf(error).written).toBe(false);
  });

  it('a connection dropped after the request was written reports it written', async () => {
    upstream.respond({ reset: true });
    const error = await rejectionOf(client.post(`${url}/x`, 'b'), AxiosError);
    expect(progressOf(error)).toEqual({ written: true, bodyBytes: 0 });
  });

  it('an answer over maxContentLength fails with its status known', async () => {
    upstream.respond({ oversizedBytes: 10_000 });
    const error = await rejectionOf(
      client.post(`${url}/x`, 'b', { maxContentLength: 1_000 }),
      AxiosError,
    );
    expect(error.message).toMatch(/maxContentLength/);
    expect(progressOf(error)).toMatchObject({
      written: true,
      answeredStatus: 200,
    });
    expect(progressOf(error).bodyBytes).toBeGreaterThan(1_000);
  });

  it('honours an abort signal, and its own timeout', async () => {
    upstream.respond({ hang: true });
    const controller = new AbortController();
    const aborted = rejectionOf(
      client.post(`${url}/x`, 'b', { signal: controller.signal }),
      AxiosError,
    );
    setTimeout(() => controller.abort(), 50);
    const abortedError = await aborted;
    expect(abortedError.code).toBe(AxiosError.ERR_CANCELED);
    expect(progressOf(abortedError).written).toBe(true);
    const timedOut = await rejectionOf(
      client.post(`${url}/x`, 'b', { timeout: 50 }),
      AxiosError,
    );
    expect(timedOut.code).toBe(AxiosError.ETIMEDOUT);
    expect(progressOf(timedOut).written).toBe(true);
  });

  it('an already aborted signal sends nothing', async () => {
    upstream.respond({ status: 200, body: {} });
    const error = await rejectionOf(
      client.post(`${url}/x`, 'b', { signal: AbortSignal.abort() }),
      AxiosError,
    );
    expect(error.code).toBe(AxiosError.ERR_CANCELED);
    await client.post(`${url}/x`, 'b');
    expect(upstream.requests).toHaveLength(1);
  });

  it('close() lets a call in flight finish', async () => {
    upstream.respond({ trickleEveryMs: 1 }); // a ~90-byte body, a byte a ms
    const call = client.post(`${url}/x`, 'b');
    await new Promise((done) => setTimeout(done, 20));
    await transport.close();
    expect((await call).data).toMatchObject({ result: '0' });
  });
});
