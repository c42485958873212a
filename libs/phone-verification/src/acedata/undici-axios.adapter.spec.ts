import { AxiosError, create, type AxiosInstance } from 'axios';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { rejectionOf } from '../testing/rejection-of.js';
import { progressOf } from './acedata-error.mapper.js';
import { UndiciAxiosAdapter } from './undici-axios.adapter.js';

type Handler = (
  req: IncomingMessage,
  body: string,
  res: ServerResponse,
) => void;

describe('UndiciAxiosAdapter', () => {
  let server: Server;
  let url: string;
  let handler: Handler;
  let transport: UndiciAxiosAdapter;
  let client: AxiosInstance;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => handler(req, Buffer.concat(chunks).toString(), res));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });
  beforeEach(() => {
    transport = new UndiciAxiosAdapter({ keepAliveIdleMs: 1_000 });
    client = create({ adapter: transport.adapter });
  });
  afterEach(() => transport.close());

  it('posts the headers and JSON body, and returns status, headers and text', async () => {
    handler = (req, body, res) => {
      res.setHeader('x-trace-id', 'trace-1');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ seen: body, auth: req.headers.authorization }));
    };
    const response = await client.post(
      `${url}/check?x=1`,
      { a: 1 },
      { headers: { authorization: 'Bearer t' } },
    );
    expect(response.status).toBe(200);
    expect(response.headers['x-trace-id']).toBe('trace-1');
    expect(response.data).toEqual({ seen: '{"a":1}', auth: 'Bearer t' });
  });

  it('joins baseURL and url, and adds params, as axios does', async () => {
    handler = (req, _body, res) => res.end(JSON.stringify(req.url));
    const based = create({
      adapter: transport.adapter,
      baseURL: `${url}/api/`,
    });
    expect((await based.get('/v1/check')).data).toBe('/api/v1/check');
    expect((await based.get('v1/check', { params: { a: 'b c' } })).data).toBe(
      '/api/v1/check?a=b+c',
    );
    expect((await based.get(`${url}/other`)).data).toBe('/other');
  });

  it('keeps the raw text when told to, and rejects a status validateStatus refuses', async () => {
    handler = (_req, _body, res) => {
      res.statusCode = 503;
      res.end('not json');
    };
    const raw = await client.post(`${url}/x`, 'b', {
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
    });
    expect(raw.status).toBe(503);
    expect(raw.data).toBe('not json');
    const error = await rejectionOf(client.post(`${url}/x`, 'b'), AxiosError);
    expect(error.response?.status).toBe(503);
    expect(progressOf(error)).toEqual({ written: true, answeredStatus: 503 });
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
    handler = (req) => req.socket.destroy();
    const error = await rejectionOf(client.post(`${url}/x`, 'b'), AxiosError);
    expect(progressOf(error)).toEqual({
      written: true,
      answeredStatus: undefined,
    });
  });

  it('an answer over maxContentLength fails with its status known', async () => {
    handler = (_req, _body, res) => res.end('x'.repeat(10_000));
    const error = await rejectionOf(
      client.post(`${url}/x`, 'b', { maxContentLength: 1_000 }),
      AxiosError,
    );
    expect(error.message).toMatch(/maxContentLength/);
    expect(progressOf(error)).toEqual({ written: true, answeredStatus: 200 });
  });

  it('honours an abort signal, and its own timeout', async () => {
    handler = () => undefined; // never answers
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
    let calls = 0;
    handler = (_req, _body, res) => {
      calls += 1;
      res.end('{}');
    };
    const error = await rejectionOf(
      client.post(`${url}/x`, 'b', { signal: AbortSignal.abort() }),
      AxiosError,
    );
    expect(error.code).toBe(AxiosError.ERR_CANCELED);
    await client.post(`${url}/x`, 'b');
    expect(calls).toBe(1);
  });

  it('close() lets a call in flight finish', async () => {
    handler = (_req, _body, res) => setTimeout(() => res.end('"late"'), 100);
    const call = client.post(`${url}/x`, 'b');
    await new Promise((done) => setTimeout(done, 20));
    await transport.close();
    expect((await call).data).toBe('late');
  });
});
