import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-server.js';
import { until } from './read-until.js';

/** One `redis-server` process of a topology, on its own port. */
interface Node {
  readonly port: number;
  child: ChildProcess;
}

/** `redis-cli -p port args…`, its output trimmed. */
export function redisCli(port: number, ...args: string[]): string {
  return spawnSync('redis-cli', ['-p', String(port), ...args], {
    encoding: 'utf8',
  }).stdout.trim();
}

/** Waits for `done`, looked at every 100 ms; throws naming `what` after `ms`. */
async function waitFor(what: string, done: () => boolean, ms = 30_000) {
  if (!(await until(done, { everyMs: 100, forMs: ms }))) {
    throw new Error(`timed out waiting for ${what}`);
  }
}

function startNode(args: string[], port: number): Node {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  return { port, child };
}

/**
 * A data node's arguments: loopback, nothing kept on disk, replicas synced
 * at once (not after 5 s), plus `more`.
 */
function dataNodeArgs(port: number, dir: string, more: string[] = []) {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--repl-diskless-sync-delay',
    '0',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    ...more,
  ];
}

async function killNode(node: Node): Promise<void> {
  const { child } = node;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/** A Redis Cluster of the test's own: 3 masters, a replica each. */
export interface TestRedisCluster {
  /** `host:port,…` of every node, as `REDIS_CLUSTER_NODES` takes it. */
  readonly nodes: string;
  /** One master's address, as a user might wrongly give it as `REDIS_URL`. */
  readonly aMasterUrl: string;
  /** Kills the master holding `key`'s slot and waits until its replica took over. */
  killMasterOf(key: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts six nodes on free ports and makes a cluster of them (`redis-cli --cluster create`). */
export async function startTestRedisCluster(): Promise<TestRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'test-redis-cluster-'));
  const ports = await Promise.all(Array.from({ length: 6 }, freePort));
  const nodes = ports.map((port) =>
    startNode(
      dataNodeArgs(port, dir, [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout',
        '1000',
        // A replica may take over however long it was apart from its master.
        '--cluster-replica-validity-factor',
        '0',
      ]),
      port,
    ),
  );
  const close = async () => {
    await Promise.all(nodes.map(killNode));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor('the nodes', () =>
      ports.every((p) => redisCli(p, 'ping') === 'PONG'),
    );
    const created = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ],
      { encoding: 'utf8' },
    );
    if (created.status !== 0) throw new Error(created.stdout + created.stderr);
    await waitFor('cluster_state:ok', () =>
      ports.every((p) =>
        redisCli(p, 'cluster', 'info').includes('cluster_state:ok'),
      ),
    );
    // Every replica in sync with its master: a failover can then promote it.
    await waitFor('the replicas in sync', () =>
      ports.every((p) => {
        const replication = redisCli(p, 'info', 'replication');
        return (
          replication.includes('role:master') ||
          replication.includes('master_link_status:up')
        );
      }),
    );
  } catch (error) {
    await close();
    throw error;
  }
  const alive = () =>
    nodes.filter(
      (n) => n.child.exitCode === null && n.child.signalCode === null,
    );
  return {
    nodes: ports.map((p) => `127.0.0.1:${p}`).join(','),
    aMasterUrl: `redis://127.0.0.1:${ports[0]}`,
    async killMasterOf(key) {
      const [asker] = alive();
      const slot = Number(redisCli(asker.port, 'cluster', 'keyslot', key));
      // CLUSTER NODES: `id host:port@bus flags master ping pong epoch state slots…`.
      const owner = redisCli(asker.port, 'cluster', 'nodes')
        .split('\n')
        .map((line) => line.split(' '))
        .find(
          ([, , flags, , , , , , ...ranges]) =>
            flags.includes('master') &&
            !flags.includes('fail') &&
            ranges.some((range) => {
              const [from, to = from] = range.split('-').map(Number);
              return slot >= from && slot <= to;
            }),
        );
      const port = Number(owner?.[1].split('@')[0].split(':')[1]);
      const master = nodes.find((n) => n.port === port);
      if (!master) throw new Error(`no master found for ${key}`);
      await killNode(master);
      const others = alive().map((n) => n.port);
      await waitFor('a replica promoted', () =>
        others.every((p) =>
          redisCli(p, 'cluster', 'info').includes('cluster_state:ok'),
        ),
      );
    },
    close,
  };
}

/** A primary, its replica and three sentinels of the test's own. */
export interface TestRedisSentinel {
  /** `host:port,…` of the sentinels, as `REDIS_SENTINELS` takes it. */
  readonly sentinels: string;
  readonly masterName: string;
  /** Kills the primary and waits until the sentinels promoted the replica. */
  killPrimary(): Promise<void>;
  /** Stops (SIGSTOP) or resumes (SIGCONT) the first sentinel: it accepts connections but answers nothing. */
  pauseFirstSentinel(paused: boolean): void;
  close(): Promise<void>;
}

export async function startTestRedisSentinel(): Promise<TestRedisSentinel> {
  const dir = mkdtempSync(join(tmpdir(), 'test-redis-sentinel-'));
  const masterName = 'pvmaster';
  const [primaryPort, replicaPort, ...sentinelPorts] = await Promise.all(
    Array.from({ length: 5 }, freePort),
  );
  const nodes: Node[] = [
    startNode(dataNodeArgs(primaryPort, dir), primaryPort),
    startNode(
      dataNodeArgs(replicaPort, dir, [
        '--replicaof',
        '127.0.0.1',
        String(primaryPort),
      ]),
      replicaPort,
    ),
  ];
  for (const port of sentinelPorts) {
    const file = join(dir, `sentinel-${port}.conf`);
    writeFileSync(
      file,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${masterName} 127.0.0.1 ${primaryPort} 2`,
        `sentinel down-after-milliseconds ${masterName} 1000`,
        `sentinel failover-timeout ${masterName} 3000`,
        '',
      ].join('\n'),
    );
    nodes.push(startNode([file, '--sentinel'], port));
  }
  const close = async () => {
    await Promise.all(nodes.map(killNode));
    rmSync(dir, { recursive: true, force: true });
  };
  let firstPaused = false;
  // Asked of a sentinel that answers.
  const primaryAddress = () =>
    redisCli(
      sentinelPorts[firstPaused ? 1 : 0],
      'sentinel',
      'get-master-addr-by-name',
      masterName,
    ).split('\n');
  try {
    await waitFor('the replica in sync', () =>
      redisCli(replicaPort, 'info', 'replication').includes(
        'master_link_status:up',
      ),
    );
    // Each sentinel knows the two others and the replica.
    await waitFor('the sentinels', () =>
      sentinelPorts.every((p) => {
        const master = redisCli(p, 'sentinel', 'master', masterName);
        return (
          /num-other-sentinels\n2/.test(master) && /num-slaves\n1/.test(master)
        );
      }),
    );
  } catch (error) {
    await close();
    throw error;
  }
  return {
    sentinels: sentinelPorts.map((p) => `127.0.0.1:${p}`).join(','),
    masterName,
    pauseFirstSentinel(paused) {
      const first = nodes.find((n) => n.port === sentinelPorts[0])!;
      first.child.kill(paused ? 'SIGSTOP' : 'SIGCONT');
      firstPaused = paused;
    },
    async killPrimary() {
      const port = Number(primaryAddress()[1]);
      const primary = nodes.find((n) => n.port === port);
      if (!primary) throw new Error('no primary found');
      await killNode(primary);
      await waitFor('a new primary', () => {
        const now = Number(primaryAddress()[1]);
        return now !== port && redisCli(now, 'role').startsWith('master');
      });
    },
    close,
  };
}
