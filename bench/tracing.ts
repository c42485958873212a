// npm run bench:tracing [-- --smoke]: the sample app (its embedded ledger on,
// as a user starts it) with tracing off and on, side by side in one run, at
// two loads. "On" exports every span (the SDK's default sampler), or one
// trace in ten, over OTLP/HTTP protobuf to a receiver on loopback that reads
// and drops them. A second app with tracing off shows the noise: two
// identical apps differ by that much on this machine.
// Options: --rounds N, --warmup S (see load.ts), --smoke.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodySource } from './identities.js';
import {
  DURATION_S,
  ROUNDS,
  SMOKE as smoke,
  median,
  cpuOf,
  pairedRatio,
  sideBySide,
  WARMUP_S,
  type Contender,
} from './load.js';
import { BENCH_KEY, sampleAppEnv } from './processes.js';

const SCENARIOS = smoke
  ? [{ latencyMs: 0, connections: 8 }]
  : [
      { latencyMs: 0, connections: 50 },
      { latencyMs: 100, connections: 200 },
    ];
const SAMPLE_APP = 'dist/apps/sample-app/src/main.js';

let spansBytes = 0;
const receiver = createServer((req, res) => {
  req.on('data', (chunk: Buffer) => (spansBytes += chunk.length));
  req.on('end', () => res.writeHead(200).end());
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

const headers = {
  'content-type': 'application/json',
  authorization: `Bearer ${BENCH_KEY}`,
};
const contenders: Contender[] = [
  {
    name: 'tracing off',
    script: SAMPLE_APP,
    headers,
    nextBody: bodySource(5000),
    env: (u) => sampleAppEnv(u.url),
  },
  {
    name: 'tracing off, a second app (the noise)',
    script: SAMPLE_APP,
    headers,
    nextBody: bodySource(5000),
    env: (u) => sampleAppEnv(u.url),
  },
  {
    name: 'tracing on (every span exported)',
    script: SAMPLE_APP,
    headers,
    nextBody: bodySource(5000),
    env: (u) => sampleAppEnv(u.url, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }),
  },
  {
    name: 'tracing on, 1 trace in 10 sampled',
    script: SAMPLE_APP,
    headers,
    nextBody: bodySource(5000),
    env: (u) =>
      sampleAppEnv(u.url, {
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.1',
      }),
  },
];

const say = (line = ''): void => void process.stdout.write(`${line}\n`);
say(
  `# Tracing on against off, ${new Date().toISOString()}, Node ${process.version}${smoke ? ' (smoke)' : ''}`,
);
say(
  `${ROUNDS} round(s) of ${DURATION_S} s per contender after ${WARMUP_S} s of warm-up, order rotated each round, medians; "× off, paired" is the median of the rounds' own ratios.`,
);
for (const scenario of SCENARIOS) {
  const { samples, peakRss } = await sideBySide(contenders, scenario);
  const off = median(samples[0].map((s) => s.rps));
  say();
  say(
    `## Upstream ${scenario.latencyMs} ms, ${scenario.connections} connections`,
  );
  say();
  say(
    '| contender | req/s | × off | × off, paired | CPU µs per request | CPU × off, paired | p50 ms | p99 ms | errors | peak RSS MB |',
  );
  say('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [i, c] of contenders.entries()) {
    const rps = median(samples[i].map((s) => s.rps));
    const errors = samples[i].reduce((n, s) => n + s.errors, 0);
    say(
      `| ${c.name} | ${Math.round(rps)} | ${(rps / off).toFixed(2)} | ${pairedRatio(samples, i).toFixed(2)} | ${Math.round(median(samples[i].map(cpuOf)))} | ${pairedRatio(samples, i, 0, cpuOf).toFixed(2)} | ${median(samples[i].map((s) => s.p50))} | ${median(samples[i].map((s) => s.p99))} | ${errors} | ${Math.round(peakRss[i])} |`,
    );
  }
}
say();
say(`Spans received: ${(spansBytes / 1e6).toFixed(1)} MB of OTLP protobuf.`);
receiver.close();
