import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A `redis-server` of the test's own, on a free loopback port. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Kills it (SIGKILL): Redis goes away mid-run. */
  kill(): Promise<void>;
  /** Starts it again on the same port: empty, or with its data when started with `persist`. */
  restart(): Promise<void>;
  /**
   * Runs one command with redis-cli and resolves with its reply as printed
   * (`CLIENT PAUSE 2500 ALL`, `DEBUG SLEEP 2`, `CONFIG SET …`). It does not
   * wait for a reply to come when `wait` is false (a `DEBUG SLEEP` blocks).
   */
  command(args: string[], wait?: boolean): Promise<string>;
  close(): Promise<void>;
}

/** How to start a test Redis. */
export interface TestRedisOptions {
  /** Keep data across `restart()` (append-only file in a temporary folder). */
  persist?: boolean;
}

/** What a test that stops Redis gets when it runs against `REDIS_URL`. */
async function cannotStopGivenRedis(): Promise<never> {
  throw new Error(
    'this test stops Redis: it needs redis-server on PATH, not REDIS_URL',
  );
}

const INSTALL_HINT =
  'Tests need Redis: install redis-server (e.g. `apt-get install redis-server`) so that it is on PATH, or set REDIS_URL to a Redis they may use.';

/** The ports {@link freePort} handed out in this process. */
const handedOut = new Set<number>();

/** Whether `port` can be listened on, on loopback, now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * A free loopback port below the ephemeral range (32768 and up on Linux),
 * where neither another test's `listen(0)` nor any outgoing connection's
 * own port can land: a Redis a test kills stays gone, and a client
 * reconnecting to its address meets a refusal, never another test's Redis
 * that took the port meanwhile (or, connecting, itself). Cluster nodes
 * also listen on port + 10000, below the range too.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * 12_000);
    // Never the same port twice in this process (picks run concurrently).
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if ((await canListen(port)) && (await canListen(port + 10_000))) {
      return port;
    }
  }
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
export async function startTestRedis(
  options: TestRedisOptions = {},
): Promise<TestRedis> {
  if (spawnSync('redis-server', ['--version']).error) {
    const given = process.env.REDIS_URL;
    if (!given) throw new Error(INSTALL_HINT);
    return {
      url: given,
      port: Number(new URL(given).port || 6379),
      kill: cannotStopGivenRedis,
      restart: cannotStopGivenRedis,
      command: cannotStopGivenRedis,
      close: async () => undefined,
    };
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'test-redis-'));
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
        '--dir',
        dir,
        '--appendonly',
        options.persist ? 'yes' : 'no',
        '--appendfsync',
        'always',
        // Tests stall the server with DEBUG SLEEP, from loopback only.
        '--enable-debug-command',
        'local',
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
  const command = (args: string[], wait = true): Promise<string> =>
    new Promise((resolve, reject) => {
      const cli = spawn('redis-cli', ['-p', String(port), ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      cli.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      cli.once('error', reject);
      if (!wait) {
        // Sent once redis-cli has connected and written it; the reply may come much later.
        setTimeout(() => resolve(''), 100);
        return;
      }
      cli.once('exit', () => resolve(out.trim()));
    });
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    restart: start,
    command,
    close: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
