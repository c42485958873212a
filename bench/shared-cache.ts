// npm run bench:shared-cache: what the in-process tier in front of the shared
// Redis cache changes, side by side in one run against one redis-server of
// the bench's own: the same module with the two-level cache (the default) and
// with Redis alone (the previous behaviour), the transport stubbed so only
// the library and Redis are timed.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { Test } from '@nestjs/testing';
import { AceDataClient } from '../libs/phone-verification/src/acedata/acedata.client.js';
import { mapCheck3eResult } from '../libs/phone-verification/src/acedata/check-3e-result.mapper.js';
import type { PhoneVerificationCacheStore } from '../libs/phone-verification/src/cache/cache-store.interface.js';
import { VerificationCache } from '../libs/phone-verification/src/cache/verification-cache.js';
import { systemClock } from '../libs/phone-verification/src/clock.js';
import {
  PHONE_VERIFICATION_CACHE_STORE,
  PhoneVerificationModule,
  PhoneVerificationService,
} from '../libs/phone-verification/src/index.js';
import { PHONE_VERIFICATION_CACHE } from '../libs/phone-verification/src/phone-verification.constants.js';
import { distinctNames } from './identities.js';

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
const stubResult = mapCheck3eResult(
  JSON.parse(
    '{"result":"0","description":"Authentication passed","isp":"Mobile","result_detail":null}',
  ),
  (s) => s,
);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
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
async function instance(twoLevel: boolean) {
  let upstreamCalls = 0;
  let builder = Test.createTestingModule({
    imports: [
      PhoneVerificationModule.forRoot({
        apiToken: 'bench-token',
        redis: {
          url: `redis://127.0.0.1:${port}`,
          secret: SECRET,
          namespace: `bench${twoLevel ? 2 : 1}`,
        },
        cache: { ttlMs: 3_600_000, secret: SECRET },
      }),
    ],
  })
    .overrideProvider(AceDataClient)
    .useValue({
      check3e: async () => {
        upstreamCalls++;
        return stubResult;
      },
    });
  if (!twoLevel) {
    builder = builder.overrideProvider(PHONE_VERIFICATION_CACHE).useFactory({
      factory: (store: PhoneVerificationCacheStore) =>
        new VerificationCache(store, 3_600_000, systemClock),
      inject: [PHONE_VERIFICATION_CACHE_STORE],
    });
  }
  const moduleRef = await builder.compile();
  moduleRef.useLogger(false);
  await moduleRef.init();
  const service = moduleRef.get(PhoneVerificationService);
  return { moduleRef, service, calls: () => upstreamCalls };
}

const contenders = [
  { label: 'Redis alone (before)', built: await instance(false) },
  {
    label: 'in-process LRU in front of Redis (now)',
    built: await instance(true),
  },
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
