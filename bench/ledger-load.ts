// npm run bench:ledger-load [-- --smoke]: the sample app with its record of
// money on, as a user starts it, against the naive Nest controller and the
// bare proxy, side by side in one run: on the embedded ledger (the default)
// and on PostgreSQL on loopback, at two loads; then how long a wide usage
// report (200,000 rows, the full range) stalls other requests.
// BENCH_COMPARE_DIST=<another build's dist> adds that build's sample app on
// both stores (the "before" rows).
import { cpSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createTestDatabase } from '../test/support/postgres-database.js';
import { bodySource } from './identities.js';
import {
  CHECK_3E_PATH,
  DURATION_S,
  ROUNDS,
  SANDBOX,
  SMOKE as smoke,
  median,
  cpuOf,
  pairedRatio,
  WARMUP_S,
  sideBySide,
  type Contender as LoadContender,
} from './load.js';
import {
  BENCH_KEY,
  freshLedgerDir,
  sampleAppEnv,
  startNodeProcess,
  type NodeProcess,
} from './processes.js';

/** Only the wide-report part (`-- --report-only`). */
const reportOnly = process.argv.includes('--report-only');
const SCENARIOS = smoke
  ? [{ latencyMs: 0, connections: 8 }]
  : [
      { latencyMs: 0, connections: 50 },
      { latencyMs: 100, connections: 200 },
    ];
const REPORT_ROWS = smoke ? 2_000 : 200_000;
const OPERATOR_KEY = 'bench-operator-key-0123456789';

const DIST = resolve('dist');
const sampleAppOf = (dist: string) =>
  `${resolve(dist)}/apps/sample-app/src/main.js`;

interface Contender extends LoadContender {
  /** Whether it keeps a ledger (its rows per second are counted). */
  ledger: boolean;
}

const json = { 'content-type': 'application/json' };
const authed = { ...json, authorization: `Bearer ${BENCH_KEY}` };
const databases: { url: string; drop(): Promise<void> }[] = [];

function sampleApp(name: string, dist: string, store: 'pglite' | 'postgres') {
  return async (): Promise<Contender> => {
    const database = store === 'postgres' ? await createTestDatabase() : null;
    if (database) databases.push(database);
    return {
      name,
      script: sampleAppOf(dist),
      ledger: true,
      headers: authed,
      nextBody: bodySource(5000),
      env: (u) =>
        sampleAppEnv(u.url, {
          SAMPLE_APP_OPERATOR_KEYS: OPERATOR_KEY,
          ...(database ? { DATABASE_URL: database.url } : {}),
        }),
    };
  };
}

const upstreamEnv = (upstream: NodeProcess) => ({
  UPSTREAM_URL: upstream.url,
  UPSTREAM_TOKEN: 'sandbox-token',
});
const makers: (() => Promise<Contender>)[] = [
  async () => ({
    name: 'bare proxy (node:http + undici)',
    script: `${DIST}/bench/bench/contenders/baseline.js`,
    env: upstreamEnv,
    ledger: false,
    headers: json,
    nextBody: bodySource(5000),
  }),
  async () => ({
    name: 'naive (Nest + HttpService, no ledger)',
    script: `${DIST}/bench/bench/contenders/naive-app.js`,
    env: upstreamEnv,
    ledger: false,
    headers: json,
    nextBody: bodySource(5000),
  }),
  sampleApp('sample app, embedded ledger (PGlite)', DIST, 'pglite'),
  sampleApp('sample app, PostgreSQL ledger', DIST, 'postgres'),
];
const compareDist = process.env.BENCH_COMPARE_DIST;
if (compareDist) {
  makers.push(
    sampleApp('before: sample app, embedded ledger', compareDist, 'pglite'),
    sampleApp('before: sample app, PostgreSQL ledger', compareDist, 'postgres'),
  );
}

/** Rows on the ledger of today (China day), read through `GET /usage`. */
async function ledgerRows(url: string): Promise<number> {
  const day = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  const answer = await fetch(`${url}/usage?from=${day}&to=${day}`, {
    headers: { authorization: `Bearer ${OPERATOR_KEY}` },
  });
  const { totals } = (await answer.json()) as {
    totals: Record<string, number>;
  };
  return (
    totals.upstream_calls +
    totals.cache_hits +
    totals.shared +
    totals.budget_refused
  );
}

const say = (line = ''): void => void process.stdout.write(`${line}\n`);
say(
  `# Ledger under load, ${new Date().toISOString()}, Node ${process.version}${smoke ? ' (smoke)' : ''}`,
);
say(
  `${ROUNDS} round(s) of ${DURATION_S} s per contender after ${WARMUP_S} s of warm-up, order rotated each round, medians; "× naive, paired" is the median of the rounds' own ratios.`,
);

for (const scenario of reportOnly ? [] : SCENARIOS) {
  const contenders = await Promise.all(makers.map((make) => make()));
  const rowsPerS: number[][] = contenders.map(() => []);
  // A ledger's rows per second: its own report's count before and after.
  const { samples, peakRss } = await sideBySide(
    contenders,
    scenario,
    async (i, url, take) => {
      if (!contenders[i].ledger) return take();
      const before = await ledgerRows(url);
      const sample = await take();
      rowsPerS[i].push(((await ledgerRows(url)) - before) / DURATION_S);
      return sample;
    },
  );
  const naive = {
    rps: median(samples[1].map((s) => s.rps)),
    p99: median(samples[1].map((s) => s.p99)),
  };
  say();
  say(
    `## Upstream ${scenario.latencyMs} ms, ${scenario.connections} connections`,
  );
  say();
  say(
    '| contender | req/s | × naive | × naive, paired | CPU µs per request | CPU × naive, paired | p50 ms | p99 ms | p99 × naive | ledger rows/s | errors | peak RSS MB |',
  );
  say(
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const [i, c] of contenders.entries()) {
    const rps = median(samples[i].map((s) => s.rps));
    const p99 = median(samples[i].map((s) => s.p99));
    const rows = c.ledger ? Math.round(median(rowsPerS[i])) : '–';
    const errors = samples[i].reduce((n, s) => n + s.errors, 0);
    say(
      `| ${c.name} | ${Math.round(rps)} | ${(rps / naive.rps).toFixed(2)} | ${pairedRatio(samples, i, 1).toFixed(2)} | ${Math.round(median(samples[i].map(cpuOf)))} | ${pairedRatio(samples, i, 1, cpuOf).toFixed(2)} | ${median(samples[i].map((s) => s.p50))} | ${p99} | ${(p99 / naive.p99).toFixed(2)} | ${rows} | ${errors} | ${Math.round(peakRss[i])} |`,
    );
  }
}

// The wide report: an embedded ledger of REPORT_ROWS rows over a year, five
// reports of the whole year at once, `/health` asked every 10 ms meanwhile.
const seeded = freshLedgerDir();
{
  const sandbox = await startNodeProcess(SANDBOX, {
    env: { SANDBOX_PORT: '0' },
  });
  // The app creates the schema; then the rows go in directly.
  const app = await startNodeProcess(sampleAppOf(DIST), {
    env: sampleAppEnv(sandbox.url, { SAMPLE_APP_LEDGER_DIR: seeded }),
  });
  await app.stop();
  await sandbox.stop();
  const db = await PGlite.create(seeded);
  await db.query(`
    INSERT INTO phone_verification_ledger (id, sent_at, china_day, deadline_at,
      completed_at, replica, caller, subject_hmac, masked_phone, verify_mode,
      encrypted, answered_by, status, result_code, billed, may_have_billed,
      attempts, latency_ms)
    SELECT gen_random_uuid(), t, (t + interval '8 hours')::date, t + interval '10 seconds',
      t + interval '1 second', 'bench', 'caller' || (n % 7), md5(n::text),
      '138****0000', 'plain', false,
      (ARRAY['upstream','cache','shared'])[1 + n % 3], 'ok', n % 3, n % 3 <> 1,
      false, 1, 100
    FROM generate_series(1, ${REPORT_ROWS}) AS n,
      LATERAL (SELECT timestamptz '2026-01-01' + (n % 365) * interval '1 day' AS t) AS s`);
  await db.close();
}
const reportContenders: [string, string][] = [['this build', DIST]];
if (compareDist) reportContenders.push(['before', compareDist]);
say();
say(
  `## A wide usage report on the embedded ledger (${REPORT_ROWS} rows, a year), five at once`,
);
say();
say(
  '| build | report ms (median of 5) | worst /health ms while reporting | /health p50 ms | worst verification ms while reporting | verification p50 ms | verifications asked |',
);
say('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [label, dist] of reportContenders) {
  const dir = freshLedgerDir();
  cpSync(seeded, dir, { recursive: true });
  const sandbox = await startNodeProcess(SANDBOX, {
    env: { SANDBOX_PORT: '0' },
  });
  const app = await startNodeProcess(sampleAppOf(dist), {
    env: sampleAppEnv(sandbox.url, {
      SAMPLE_APP_LEDGER_DIR: dir,
      SAMPLE_APP_OPERATOR_KEYS: OPERATOR_KEY,
    }),
  });
  try {
    // Asked one after another while `work` runs: /health, and a
    // verification (its ledger rows wait for the store like any other).
    const nextBody = bodySource(5000);
    const verify = () =>
      fetch(`${app.url}${CHECK_3E_PATH}`, {
        method: 'POST',
        headers: authed,
        body: nextBody(),
      });
    const probed = async (work: () => Promise<number[]>) => {
      const running = { done: false };
      const probe = async (ask: () => Promise<Response>) => {
        const ms: number[] = [];
        while (!running.done) {
          const started = performance.now();
          await ask().then((r) => r.arrayBuffer());
          ms.push(performance.now() - started);
          await new Promise((r) => setTimeout(r, 10));
        }
        return ms;
      };
      const probes = Promise.all([
        probe(() => fetch(`${app.url}/health`)),
        probe(verify),
      ]);
      const workMs = await work();
      running.done = true;
      const [healthMs, verifyMs] = await probes;
      return { workMs, healthMs, verifyMs };
    };
    const row = (what: string, r: Awaited<ReturnType<typeof probed>>) =>
      say(
        `| ${label}, ${what} | ${r.workMs.length ? Math.round(median(r.workMs)) : '–'} | ${Math.round(Math.max(...r.healthMs))} | ${median(r.healthMs).toFixed(1)} | ${Math.round(Math.max(...r.verifyMs))} | ${median(r.verifyMs).toFixed(1)} | ${r.verifyMs.length} |`,
      );
    for (let i = 0; i < 20; i++) await verify().then((r) => r.arrayBuffer());
    // The same probes with nothing else running: what "a stall" is measured against.
    row(
      'quiet',
      await probed(async () => {
        await new Promise((r) => setTimeout(r, 3_000));
        return [];
      }),
    );
    const report = async () => {
      const started = performance.now();
      const answer = await fetch(
        `${app.url}/usage?from=2026-01-01&to=2026-12-31`,
        { headers: { authorization: `Bearer ${OPERATOR_KEY}` } },
      );
      if (answer.status !== 200)
        throw new Error(`/usage answered ${answer.status}`);
      await answer.arrayBuffer();
      return performance.now() - started;
    };
    row(
      'five reports at once',
      await probed(() => Promise.all(Array.from({ length: 5 }, report))),
    );
  } finally {
    await app.stop();
    await sandbox.stop();
  }
}
for (const database of databases) await database.drop();
