// npm run bench [-- --smoke]: the sample app and the alternatives side by
// side, against the sandbox on loopback, A/B alternated over several rounds,
// medians reported with each contender's ratio to the baseline.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { startTestRedis } from '../test/support/redis-server.js';
import { bodySource } from './identities.js';
import {
  DURATION_S,
  ROUNDS,
  SMOKE as smoke,
  median,
  sideBySide,
  type Contender,
} from './load.js';
import { BENCH_KEY, sampleAppEnv, type NodeProcess } from './processes.js';

const SCENARIOS = smoke
  ? [{ latencyMs: 0, connections: 8 }]
  : [
      { latencyMs: 0, connections: 50 },
      { latencyMs: 100, connections: 200 },
      // 20 % of the load above: what the app adds to each call's latency.
      { latencyMs: 100, connections: 40 },
    ];

const DIST = resolve('dist');
const SAMPLE_APP = `${DIST}/apps/sample-app/src/main.js`;
const BASELINE = `${DIST}/bench/bench/contenders/baseline.js`;
const NAIVE = `${DIST}/bench/bench/contenders/naive-app.js`;

const upstreamEnv = (upstream: NodeProcess) => ({
  UPSTREAM_URL: upstream.url,
  UPSTREAM_TOKEN: 'sandbox-token',
});
const json = { 'content-type': 'application/json' };
const authed = { ...json, authorization: `Bearer ${BENCH_KEY}` };

// The Redis contender's own redis-server, on a free port.
const redis = await startTestRedis();

const CONTENDERS: Contender[] = [
  {
    name: 'baseline (node:http + undici)',
    script: BASELINE,
    env: upstreamEnv,
    headers: json,
    nextBody: bodySource(5000),
  },
  {
    name: 'naive (Nest + HttpService)',
    script: NAIVE,
    env: upstreamEnv,
    headers: json,
    nextBody: bodySource(5000),
  },
  {
    name: 'sample app (Express)',
    script: SAMPLE_APP,
    env: (u) => sampleAppEnv(u.url, { SAMPLE_APP_ADAPTER: 'express' }),
    headers: authed,
    nextBody: bodySource(5000),
  },
  {
    name: 'sample app (Fastify, the default)',
    script: SAMPLE_APP,
    env: (u) => sampleAppEnv(u.url),
    headers: authed,
    nextBody: bodySource(5000),
  },
  {
    name: 'sample app + Redis (Fastify)',
    script: SAMPLE_APP,
    env: (u) =>
      sampleAppEnv(u.url, {
        REDIS_URL: redis.url,
        PHONE_VERIFICATION_KEY_SECRET: 'bench-key-secret-0123456789abcdefghij',
        PHONE_VERIFICATION_REDIS_NAMESPACE: `bench${Date.now()}`,
      }),
    headers: authed,
    nextBody: bodySource(5000),
  },
  {
    name: 'sample app, cache hits (Fastify)',
    script: SAMPLE_APP,
    env: (u) =>
      sampleAppEnv(u.url, {
        PHONE_VERIFICATION_CACHE_TTL_MS: '3600000',
        PHONE_VERIFICATION_CACHE_SECRET:
          'bench-cache-secret-0123456789abcdefghij',
      }),
    headers: authed,
    nextBody: bodySource(50),
  },
];

// BENCH_COMPARE_DIST=<another build's dist>: its sample app joins the run,
// on both adapters, e.g. the previous commit's, for a before/after.
const compareDist = process.env.BENCH_COMPARE_DIST;
if (compareDist) {
  for (const adapter of ['express', 'fastify']) {
    CONTENDERS.push({
      name: `before: sample app (${adapter === 'express' ? 'Express' : 'Fastify'})`,
      script: `${resolve(compareDist)}/apps/sample-app/src/main.js`,
      env: (u) => sampleAppEnv(u.url, { SAMPLE_APP_ADAPTER: adapter }),
      headers: authed,
      nextBody: bodySource(5000),
    });
  }
}

const lines: string[] = [];
const say = (line = ''): void => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};

say(`# Benchmark run ${new Date().toISOString()}${smoke ? ' (smoke)' : ''}`);
say();
say(
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}.`,
);
say(
  `${ROUNDS} round(s) of ${DURATION_S} s per contender, contenders rotated each round (A/B alternated), medians.`,
);

for (const scenario of SCENARIOS) {
  const { samples, peakRss } = await sideBySide(CONTENDERS, scenario);
  const ceiling =
    scenario.latencyMs > 0
      ? scenario.connections / (scenario.latencyMs / 1000)
      : undefined;
  const baselineRps = median(samples[0].map((s) => s.rps));
  say();
  say(
    `## Sandbox latency ${scenario.latencyMs} ms, ${scenario.connections} connections` +
      (ceiling ? ` (Little's-law ceiling ${ceiling} req/s)` : ''),
  );
  say();
  const baselineP99 = median(samples[0].map((s) => s.p99));
  const latencyColumns = ceiling
    ? 'of ceiling | p50 added ms | p99 × baseline | '
    : '';
  say(
    `| contender | req/s | × baseline | ${latencyColumns}p50 ms | p99 ms | errors | peak RSS MB |`,
  );
  say(
    `| --- | ---: | ---: | ${ceiling ? '---: | ---: | ---: | ' : ''}---: | ---: | ---: | ---: |`,
  );
  for (const [i, contender] of CONTENDERS.entries()) {
    const rps = median(samples[i].map((s) => s.rps));
    const p50 = median(samples[i].map((s) => s.p50));
    const p99 = median(samples[i].map((s) => s.p99));
    say(
      `| ${contender.name} | ${Math.round(rps)} | ${(rps / baselineRps).toFixed(2)} | ` +
        (ceiling
          ? `${(rps / ceiling).toFixed(2)} | ${(p50 - scenario.latencyMs).toFixed(1)} | ${(p99 / baselineP99).toFixed(2)} | `
          : '') +
        `${p50} | ${p99} | ` +
        `${samples[i].reduce((n, s) => n + s.errors, 0)} | ${Math.round(peakRss[i])} |`,
    );
  }
}

await redis.close();
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  `bench/results/${smoke ? 'smoke' : 'latest'}.md`,
  `${lines.join('\n')}\n`,
);
