import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import { RedisCommandTimeoutError } from './command-deadline.js';
import { RedisAvailability, reasonOf } from './redis-availability.js';
import type { RedisClientLike } from './redis-client.js';

describe('reasonOf (why the shared store is not up)', () => {
  it.each([
    ['MOVED 3999 127.0.0.1:7002', 'MOVED'],
    ["CROSSSLOT Keys in request don't hash to the same slot", 'CROSSSLOT'],
    ['NOAUTH Authentication required.', 'NOAUTH'],
    ["READONLY You can't write against a read only replica.", 'READONLY'],
    ['CLUSTERDOWN The cluster is down', 'CLUSTERDOWN'],
    ['OOM command not allowed when used memory > maxmemory', 'OOM'],
    ['ERR unknown command', 'error'],
    ['connect failed: secret-key-name', 'error'],
    // ioredis's own words when it cannot reach Redis through its sentinels.
    [
      'All sentinels are unreachable. Retrying from scratch after 100ms. Last error: connect ECONNREFUSED 127.0.0.1:26379',
      'sentinels unreachable',
    ],
    ['Connection is closed.', 'connection closed'],
  ])('%s → %s, never the rest of the message', (message, reason) => {
    expect(reasonOf(new Error(message))).toBe(reason);
  });

  it('names a socket by its code and a silence as a timeout', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ECONNREFUSED',
    });
    expect(reasonOf(refused)).toBe('ECONNREFUSED');
    expect(reasonOf(new RedisCommandTimeoutError(1000))).toBe('timeout');
  });
});

/** A connected client whose events the test fires. */
const readyClient = () =>
  Object.assign(new EventEmitter(), {
    status: 'ready',
  }) as unknown as RedisClientLike & EventEmitter;

describe('RedisAvailability', () => {
  it('a store answering with errors is degraded with that reason, logged and shown, until a probe passes', async () => {
    const warned: string[] = [];
    const keep = (message: unknown) => void warned.push(String(message));
    Logger.overrideLogger({ log: keep, warn: keep, error: keep });
    const probe = { moved: true };
    const answer = () =>
      probe.moved
        ? Promise.reject(new Error('MOVED 3999 127.0.0.1:7002'))
        : Promise.resolve('OK');
    const availability = new RedisAvailability(readyClient(), {
      run: () => answer(),
      intervalMs: 5,
    });
    try {
      expect(availability.reason()).toBeUndefined();
      availability.failed(new Error('MOVED 3999 127.0.0.1:7002'));
      expect(availability.state()).toBe('degraded');
      expect(availability.reason()).toBe('MOVED');
      expect(warned.join('\n')).toMatch(/answering with errors \(MOVED\)/);
      expect(warned.join('\n')).not.toMatch(/7002/);
      probe.moved = false;
      for (let i = 0; i < 100 && availability.state() !== 'up'; i++)
        await new Promise((r) => setTimeout(r, 5));
      expect(availability.state()).toBe('up');
      expect(availability.reason()).toBeUndefined();
    } finally {
      availability.stop();
      Logger.overrideLogger(new Logger());
    }
  });
});
