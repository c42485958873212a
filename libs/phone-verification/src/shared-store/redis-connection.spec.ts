import { createServer, type Server } from 'node:net';
import {
  startTestRedis,
  type TestRedis,
} from '../../../../test/support/redis-server.js';
import {
  redisCli,
  startTestRedisSentinel,
} from '../../../../test/support/redis-topologies.js';
import { readUntil } from '../../../../test/support/read-until.js';
import type { RedisClientLike } from './redis-client.js';
import { closeRedis, connectRedis } from './redis-connection.js';

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

/** The connections a sentinel holds that are subscribed to something (a client's failover detector). */
function subscribersOf(address: string): number {
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  return redisCli(port, 'CLIENT', 'LIST')
    .split('\n')
    .filter((line) => /\bsub=[1-9]/.test(line)).length;
}

describe('connectRedis to a Sentinel set', () => {
  // A failover message (+switch-master) arriving while ioredis reconnects
  // made it end the client for good: the app stayed per instance until a
  // restart. The client is started again whenever it ends unasked.
  // quit() closed the connection to the primary but left the failover
  // detector's subscriptions to the sentinels open, reconnecting for ever
  // once they went: a process that closed its client did not exit.
  it('leaves no connection to the sentinels once closed', async () => {
    const sentinel = await startTestRedisSentinel();
    try {
      const client = await connectRedis({
        sentinel: {
          sentinels: sentinel.sentinels.split(','),
          masterName: sentinel.masterName,
        },
      });
      expect(client.status).toBe('ready');
      const sentinels = sentinel.sentinels.split(',');
      const counts = () => sentinels.map(subscribersOf);
      // The detector subscribes once the client is connected.
      const open = await readUntil(counts, (n) => n.some((c) => c > 0), {
        everyMs: 50,
        forMs: 5_000,
      });
      expect(open.some((n) => n > 0)).toBe(true);
      await closeRedis(client, 500);
      const left = await readUntil(counts, (n) => n.every((c) => c === 0), {
        everyMs: 50,
        forMs: 2_000,
      });
      expect(left).toEqual(sentinels.map(() => 0));
    } finally {
      await sentinel.close();
    }
  }, 60_000);

  it('is ready again after a failover announced while it was reconnecting', async () => {
    const sentinel = await startTestRedisSentinel();
    let client: RedisClientLike | undefined;
    try {
      client = await connectRedis({
        sentinel: {
          sentinels: sentinel.sentinels.split(','),
          masterName: sentinel.masterName,
        },
      });
      expect(client.status).toBe('ready');
      const ended = new Promise<void>((done) => client!.on('end', done));
      // The sentinel the client asks first answers nothing: reconnecting, it
      // waits on that one when the two others announce the new primary.
      sentinel.pauseFirstSentinel(true);
      await sentinel.killPrimary();
      await new Promise((r) => setTimeout(r, 1_000));
      sentinel.pauseFirstSentinel(false);
      await ended;
      const deadline = Date.now() + 15_000;
      while (client.status !== 'ready' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(client.status).toBe('ready');
    } finally {
      if (client) await closeRedis(client, 500);
      await sentinel.close();
    }
  }, 60_000);
});
