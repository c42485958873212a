import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A `redis-server` of the test's own, on a free loopback port. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Kills it (SIGKILL): Redis goes away mid-run. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** What a test that stops Redis gets when it runs against `REDIS_URL`. */
async function cannotStopGivenRedis(): Promise<void> {
  throw new Error(
    'this test stops Redis: it needs redis-server on PATH, not REDIS_URL',
  );
}

const INSTALL_HINT =
  'Tests need Redis: install redis-server (e.g. `apt-get install redis-server`) so that it is on PATH, or set REDIS_URL to a Redis they may use.';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function waitForPing(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    const ping = spawnSync('redis-cli', ['-p', String(port), 'ping'], {
      encoding: 'utf8',
    });
    if (ping.stdout?.trim() === 'PONG') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not start on port ${port}`);
}

/**
 * Starts `redis-server` (from PATH) on a free port, keeping nothing on disk.
 * Fails with how to install Redis when it is missing.
 */
export async function startTestRedis(): Promise<TestRedis> {
  if (spawnSync('redis-server', ['--version']).error) {
    const given = process.env.REDIS_URL;
    if (!given) throw new Error(INSTALL_HINT);
    return {
      url: given,
      port: Number(new URL(given).port || 6379),
      kill: cannotStopGivenRedis,
      restart: cannotStopGivenRedis,
      close: async () => undefined,
    };
  }
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    );
    await waitForPing(port, child);
  };
  const kill = async (): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null)
      return;
    const exited = new Promise((r) => running.once('exit', r));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    restart: start,
    close: kill,
  };
}
