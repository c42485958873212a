// npm run bench:shared-cache: what the in-process tier in front of the shared
// Redis cache changes, side by side in one run against one redis-server of
// the bench's own: the same module with the two-level cache (the default) and
// with Redis alone (the previous behaviour), the transport stubbed so only
// the library and Redis are timed. With BENCH_COMPARE_DIST=<another build's
// dist> (its `npm run build:bench` output), that build's library joins the
// run with Redis alone, so what changed per Redis command shows too.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { Test } from '@nestjs/testing';
import { resolve } from 'node:path';
import * as client from '../libs/phone-verification/src/acedata/acedata.client.js';
import type { PhoneVerificationCacheStore } from '../libs/phone-verification/src/cache/cache-store.interface.js';
import * as cache from '../libs/phone-verification/src/cache/verification-cache.js';
import * as clock from '../libs/phone-verification/src/clock.js';
import * as api from '../libs/phone-verification/src/index.js';
import * as constants from '../libs/phone-verification/src/phone-verification.constants.js';
import { distinctNames } from './identities.js';
import { stubResult } from './stub-result.js';

/** The parts of one build of the library that the bench drives. */
interface Library {
  api: typeof api;
  client: typeof client;
  cache: typeof cache;
  clock: typeof clock;
  constants: typeof constants;
}

const thisBuild: Library = { api, client, cache, clock, constants };

/** Another build's library, from its `dist/bench` output. */
async function otherBuild(dist: string): Promise<Library> {
  const src = resolve(dist, 'bench/libs/phone-verification/src');
  const load = (file: string) => import(resolve(src, file));
  return {
    api: await load('index.js'),
    client: await load('acedata/acedata.client.js'),
    cache: await load('cache/verification-cache.js'),
    clock: await load('clock.js'),
    constants: await load('phone-verification.constants.js'),
  };
}

const SMOKE = process.argv.includes('--smoke');
const HITS = SMOKE ? 2_000 : 50_000;
const IDENTITIES = 100;
const SECRET = 'bench-shared-cache-secret-0123456789abcdef';
const names = distinctNames(IDENTITIES);
const person = (i: number) => ({
  name: names[i % IDENTITIES],
  phone: '13800000000',
  idCard: '11010519491231002X',
});

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

const port = await freePort();
const redis = spawn(
  'redis-server',
  ['--port', String(port), '--bind', '127.0.0.1', '--save', ''],
  { stdio: 'ignore' },
);
for (let i = 0; i < 100; i++) {
  const ping = spawnSync('redis-cli', ['-p', String(port), 'ping'], {
    encoding: 'utf8',
  });
  if (ping.stdout?.trim() === 'PONG') break;
  await new Promise((r) => setTimeout(r, 50));
}

/** One instance; `twoLevel: false` builds the cache as before, on Redis alone. */
async function instance(lib: Library, twoLevel: boolean, namespace: string) {
  let upstreamCalls = 0;
  let builder = Test.createTestingModule({
    imports: [
      lib.api.PhoneVerificationModule.forRoot({
        apiToken: 'bench-token',
        redis: { url: `redis://127.0.0.1:${port}`, secret: SECRET, namespace },
        cache: { ttlMs: 3_600_000, secret: SECRET },
      }),
    ],
  })
    .overrideProvider(lib.client.AceDataClient)
    .useValue({
      check3e: async () => {
        upstreamCalls++;
        return stubResult;
      },
    });
  if (!twoLevel) {
    builder = builder
      .overrideProvider(lib.constants.PHONE_VERIFICATION_CACHE)
      .useFactory({
        factory: (store: PhoneVerificationCacheStore) =>
          new lib.cache.VerificationCache(
            store,
            3_600_000,
            lib.clock.systemClock,
          ),
        inject: [lib.constants.PHONE_VERIFICATION_CACHE_STORE],
      });
  }
  const moduleRef = await builder.compile();
  moduleRef.useLogger(false);
  await moduleRef.init();
  const service = moduleRef.get(lib.api.PhoneVerificationService);
  return { moduleRef, service, calls: () => upstreamCalls };
}

const compareDist = process.env.BENCH_COMPARE_DIST;
const contenders = [
  {
    label: 'Redis alone (before)',
    built: await instance(thisBuild, false, 'bench1'),
  },
  {
    label: 'in-process LRU in front of Redis (now)',
    built: await instance(thisBuild, true, 'bench2'),
  },
  ...(compareDist
    ? [
        {
          label: `Redis alone, ${compareDist}`,
          built: await instance(await otherBuild(compareDist), false, 'bench3'),
        },
      ]
    : []),
];

// Hot identities: each is answered once, then hit again and again.
const hitRows: string[] = [];
for (const { built } of contenders) {
  for (let i = 0; i < IDENTITIES; i++) await built.service.verify(person(i));
}
const timings = contenders.map(() => 0);
for (let round = 0; round < 3; round++) {
  // Interleaved, so both see the same machine.
  for (const [c, { built }] of contenders.entries()) {
    const started = performance.now();
    for (let i = 0; i < HITS / 3; i++) await built.service.verify(person(i));
    timings[c] += performance.now() - started;
  }
}
for (const [c, { label }] of contenders.entries()) {
  hitRows.push(
    `| ${label} | ${((timings[c] * 1000) / HITS).toFixed(1)} | ${((timings[0] / timings[c]) as number).toFixed(2)} |`,
  );
}

// Redis away: the same identities asked again by the same instance.
redis.kill('SIGKILL');
await new Promise((r) => setTimeout(r, 300));
const awayRows: string[] = [];
for (const { label, built } of contenders) {
  const before = built.calls();
  for (let round = 0; round < 10; round++)
    for (let i = 0; i < IDENTITIES; i++) await built.service.verify(person(i));
  awayRows.push(
    `| ${label} | ${IDENTITIES * 10} | ${built.calls() - before} |`,
  );
}

process.stdout.write(
  `\n| cache hit of a hot identity (${HITS} verifications, ${IDENTITIES} identities, Node ${process.version}) | µs per verify() | × Redis alone |\n| --- | ---: | ---: |\n${hitRows.join('\n')}\n`,
);
process.stdout.write(
  `\n| Redis killed: ${IDENTITIES} identities this instance answered, asked 10 times each | verifications | upstream calls (billed) |\n| --- | ---: | ---: |\n${awayRows.join('\n')}\n`,
);
for (const { built } of contenders) await built.moduleRef.close();
// Another build's connection may keep retrying the killed Redis: do not wait for it.
process.exit(0);
