// npm run bench:shared-store-load: three replicas of the built sample app on
// one redis-server, under load alone (no Redis fault), on this 2-core
// machine: does any replica fall off Redis, and how many upstream calls do
// the identities cost? With BENCH_COMPARE_DIST=<another build's dist>, that
// build's replicas run the same load in the same run, one build after the
// other against the same Redis and stand-in.
import { resolve } from 'node:path';
import { startSandbox } from '../libs/phone-verification/src/testing/index.js';
import { startTestRedis } from '../test/support/redis-server.js';
import { distinctNames } from './identities.js';
import {
  BENCH_KEY,
  freshLedgerDir,
  sampleAppEnv,
  startNodeProcess,
  type NodeProcess,
} from './processes.js';

const SMOKE = process.argv.includes('--smoke');
const IDENTITIES = SMOKE ? 30 : 150;
const REPEATS = SMOKE ? 5 : 25;
const SPACING_MS = 2;
const names = distinctNames(IDENTITIES);

const redis = await startTestRedis();
const sandbox = await startSandbox({ latencyMs: 50 });

/** One deployment of `dist`: three replicas, the load, the figures. */
async function run(dist: string, label: string): Promise<string> {
  const main = resolve(dist, 'apps/sample-app/src/main.js');
  const env = sampleAppEnv(sandbox.url, {
    ACEDATA_API_TOKEN: sandbox.token,
    REDIS_URL: redis.url,
    PHONE_VERIFICATION_KEY_SECRET: 'shared-store-load-secret-0123456789abcdef',
    PHONE_VERIFICATION_REDIS_NAMESPACE: `load${Date.now()}`,
    PHONE_VERIFICATION_CACHE_TTL_MS: '86400000',
    PHONE_VERIFICATION_CACHE_SECRET: 'shared-store-load-cache-0123456789abcdef',
  });
  const replicas: NodeProcess[] = await Promise.all(
    [0, 1, 2].map(() =>
      startNodeProcess(main, {
        // Each replica its own embedded ledger: one process per folder.
        env: {
          ...env,
          SAMPLE_APP_LEDGER_DIR: freshLedgerDir(),
        },
        urlPattern: /listening on (http:\/\/\S+?)[\s)]/,
      }),
    ),
  );
  sandbox.resetCalls();
  const answers: Array<Promise<number>> = [];
  let sent = 0;
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    for (let i = 0; i < IDENTITIES; i++) {
      const url = replicas[sent++ % 3].url;
      answers.push(
        fetch(`${url}/identity/phone/check-3e`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${BENCH_KEY}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({
            name: names[i],
            phone: '13800000000',
            id_card: '11010519491231002X',
          }),
        }).then(
          async (res) => (await res.arrayBuffer(), res.status),
          () => 0,
        ),
      );
      await new Promise((r) => setTimeout(r, SPACING_MS));
    }
  }
  const statuses = await Promise.all(answers);
  const calls = sandbox.calls().total;
  // A second later, is every replica sharing again?
  await new Promise((r) => setTimeout(r, 1_000));
  let sharing = 0;
  for (const replica of replicas) {
    const ready = (await (
      await fetch(`${replica.url}/health/ready`)
    ).json()) as { details?: { redis?: { shared?: boolean } } };
    if (ready.details?.redis?.shared === true) sharing++;
  }
  await Promise.all(replicas.map((replica) => replica.stop()));
  const ok = statuses.filter((s) => s === 200).length;
  return `| ${label} | ${statuses.length} | ${ok} | ${IDENTITIES} | ${calls} | ${sharing} of 3 |`;
}

const rows = [await run(resolve('dist'), 'this build')];
const other = process.env.BENCH_COMPARE_DIST;
if (other) rows.push(await run(resolve(other), other));
process.stdout.write(
  `\n| 3 replicas, one Redis, no fault: ${IDENTITIES} identities × ${REPEATS}, one request every ${SPACING_MS} ms (Node ${process.version}) | requests | 200 | identities | upstream calls | replicas sharing 1 s after |\n| --- | ---: | ---: | ---: | ---: | ---: |\n${rows.join('\n')}\n`,
);
await sandbox.close();
await redis.close();
