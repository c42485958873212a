// npm run bench:soak: 100k verifications through the sample app (Fastify, the default;
// everything on, distinct identities) against the sandbox, reporting heap and
// RSS growth of the app process.
import autocannon from 'autocannon';
import { resolve } from 'node:path';
import { bodySource } from './identities.js';
import { BENCH_KEY, sampleAppEnv, startNodeProcess } from './processes.js';

const smoke = process.argv.includes('--smoke');
const TOTAL = smoke ? 2_000 : 100_000;
const WARMUP = smoke ? 500 : 10_000;
const DIST = resolve('dist');

const sandbox = await startNodeProcess(
  `${DIST}/apps/acedata-sandbox/src/main.js`,
  { env: { SANDBOX_PORT: '0' } },
);
const app = await startNodeProcess(`${DIST}/apps/sample-app/src/main.js`, {
  env: sampleAppEnv(sandbox.url),
  nodeArgs: ['--expose-gc', '--import', `${DIST}/bench/bench/gc-probe.js`],
});
const nextBody = bodySource(20_000);

async function drive(amount: number): Promise<number> {
  const result = await autocannon({
    url: app.url,
    connections: 32,
    amount,
    requests: [
      {
        method: 'POST',
        path: '/identity/phone/check-3e',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${BENCH_KEY}`,
        },
        setupRequest: (request) => ({ ...request, body: nextBody() }),
      },
    ],
  });
  return result.errors + result.timeouts + result.non2xx;
}

/** The app's live heap: it runs a full GC on SIGUSR2 and prints what is left (see gc-probe.ts). */
function heapUsedMb(): Promise<number> {
  return new Promise((settle, reject) => {
    const onData = (chunk: Buffer): void => {
      const match = /GC_PROBE (\{.*\})/.exec(chunk.toString('utf8'));
      if (!match) return;
      app.child.stdout?.removeListener('data', onData);
      const probe = JSON.parse(match[1]) as { heapUsed: number; gc: boolean };
      if (probe.gc) settle(probe.heapUsed / 2 ** 20);
      else reject(new Error('the app was not started with --expose-gc'));
    };
    app.child.stdout?.on('data', onData);
    app.child.kill('SIGUSR2');
  });
}

try {
  const warmupErrors = await drive(WARMUP);
  const heapBefore = await heapUsedMb();
  const rssBefore = app.rssMb();
  const started = performance.now();
  const errors = await drive(TOTAL);
  const seconds = (performance.now() - started) / 1000;
  const heapAfter = await heapUsedMb();
  const rssAfter = app.rssMb();
  process.stdout.write(
    `\n| soak: ${TOTAL} requests after ${WARMUP} warm-up | value |\n| --- | ---: |\n` +
      `| errors | ${errors + warmupErrors} |\n` +
      `| throughput | ${Math.round(TOTAL / seconds)} req/s |\n` +
      `| heap used after warm-up → after soak (live, after a full GC) | ${heapBefore.toFixed(1)} → ${heapAfter.toFixed(1)} MB (${(heapAfter - heapBefore).toFixed(1)} MB) |\n` +
      `| RSS after warm-up → after soak | ${rssBefore.toFixed(0)} → ${rssAfter.toFixed(0)} MB (${(rssAfter - rssBefore).toFixed(0)} MB) |\n` +
      `| peak RSS | ${app.peakRssMb().toFixed(0)} MB |\n`,
  );
} finally {
  await app.stop();
  await sandbox.stop();
}
