import { createServer, type Server } from 'node:net';
import {
  startTestRedis,
  type TestRedis,
} from '../../../../test/support/redis-server.js';
import {
  closeRedis,
  connectRedis,
  type RedisClientLike,
} from './redis-client.js';

describe('connectRedis', () => {
  let redis: TestRedis;
  const clients: RedisClientLike[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => closeRedis(c)));
    await redis.close();
  });

  // An app must not take requests before its shared store is known to be
  // up: they would be cached, single-flighted and budgeted per instance.
  it('resolves once the connection is ready, so the first request shares', async () => {
    const client = await connectRedis(redis.url);
    clients.push(client);
    expect(client.status).toBe('ready');
  });

  it('resolves anyway, not ready, when Redis does not answer in time', async () => {
    const silent: Server = createServer(() => undefined); // accepts, never speaks
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    const { port } = silent.address() as { port: number };
    try {
      const client = await connectRedis(`redis://127.0.0.1:${port}`, {
        readyTimeoutMs: 200,
      });
      clients.push(client);
      expect(client.status).not.toBe('ready');
      // A Redis that never answers does not hold up closing.
      const started = Date.now();
      await closeRedis(client, 200);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      silent.close();
    }
  });
});
