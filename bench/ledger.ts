// npm run bench:ledger: what the usage ledger costs per verification, side by
// side in one run: the same module without a ledger, with the embedded store
// (PGlite, in the process) and with PostgreSQL on loopback (a database of the
// bench's own on the machine's server), the transport stubbed so only the
// library and the ledger are timed. A call that goes upstream writes two rows'
// worth (the "sent" row before, its completion after); a cache hit one row.
import { Test } from '@nestjs/testing';
import { AceDataClient } from '../libs/phone-verification/src/acedata/acedata.client.js';
import {
  PhoneVerificationModule,
  PhoneVerificationService,
  type LedgerOptions,
} from '../libs/phone-verification/src/index.js';
import { createTestDatabase } from '../test/support/postgres-database.js';
import { distinctNames } from './identities.js';
import { stubResult } from './stub-result.js';
import { freshLedgerDir } from './processes.js';

const SMOKE = process.argv.includes('--smoke');
const ROUNDS = 3;
/** Distinct identities per contender and round: each one a call upstream. */
const CALLS = SMOKE ? 50 : 1_000;
/** Cache hits per contender and round, on a hot set. */
const HITS = SMOKE ? 50 : 2_000;
const HOT = 50;
const SECRET = 'bench-ledger-secret-0123456789abcdef-0123';

const contenderCount = 3;
const names = distinctNames(HOT + CALLS * ROUNDS * contenderCount);
const person = (i: number) => ({
  name: names[i],
  phone: '13800000000',
  idCard: '11010519491231002X',
});

async function instance(ledger: LedgerOptions | undefined) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      PhoneVerificationModule.forRoot({
        apiToken: 'bench-token',
        cache: { ttlMs: 3_600_000, secret: SECRET },
        ...(ledger ? { ledger } : {}),
      }),
    ],
  })
    .overrideProvider(AceDataClient)
    .useValue({ check3e: async () => stubResult })
    .compile();
  moduleRef.useLogger(false);
  await moduleRef.init();
  return { moduleRef, service: moduleRef.get(PhoneVerificationService) };
}

const database = await createTestDatabase();
const contenders = [
  { label: 'no ledger', built: await instance(undefined) },
  {
    label: 'PGlite (embedded, in the process)',
    built: await instance({
      store: { pglite: { dataDir: freshLedgerDir() } },
      secret: SECRET,
    }),
  },
  {
    label: 'PostgreSQL 127.0.0.1 (pg pool)',
    built: await instance({
      store: { postgres: { url: database.url } },
      secret: SECRET,
    }),
  },
];

// Warm-up: the hot set is answered (and cached), the stores have a few rows.
for (const { built } of contenders) {
  for (let i = 0; i < HOT; i++) await built.service.verify(person(i));
}

const upstreamMs = contenders.map(() => 0);
const hitMs = contenders.map(() => 0);
let next = HOT;
for (let round = 0; round < ROUNDS; round++) {
  // Interleaved, the order rotated: each contender sees the same machine.
  for (let k = 0; k < contenders.length; k++) {
    const c = (k + round) % contenders.length;
    const { service } = contenders[c].built;
    let started = performance.now();
    for (let i = 0; i < CALLS; i++) await service.verify(person(next++));
    upstreamMs[c] += performance.now() - started;
    started = performance.now();
    for (let i = 0; i < HITS; i++) await service.verify(person(i % HOT));
    hitMs[c] += performance.now() - started;
  }
}

const perCall = (ms: number, n: number) => (ms * 1000) / (n * ROUNDS);
const rows = contenders.map(({ label }, c) => {
  const up = perCall(upstreamMs[c], CALLS);
  const hit = perCall(hitMs[c], HITS);
  const up0 = perCall(upstreamMs[0], CALLS);
  const hit0 = perCall(hitMs[0], HITS);
  return `| ${label} | ${up.toFixed(0)} | ${(up - up0).toFixed(0)} | ${(up / up0).toFixed(2)} | ${hit.toFixed(0)} | ${(hit - hit0).toFixed(0)} | ${(hit / hit0).toFixed(2)} |`;
});
process.stdout.write(
  `\n| ledger (${CALLS * ROUNDS} calls upstream and ${HITS * ROUNDS} cache hits each, one at a time, Node ${process.version}) | µs per call upstream | + µs | × no ledger | µs per cache hit | + µs | × no ledger |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n${rows.join('\n')}\n`,
);
for (const { built } of contenders) await built.moduleRef.close();
await database.drop();
