// npm run bench:ledger-upkeep [-- --rounds N]: what the embedded store's
// upkeep keeps, side by side in one run: the same ledger on three embedded
// stores, one whose thread vacuums and checkpoints as it does now, one that
// vacuums but never checkpoints, one that does neither (PGlite runs no
// autovacuum and no checkpointer). Each round writes a burst of
// verifications (a "sent" row and its completion each, 50 at a time, so
// groups form as under load), then leaves the stores a quiet moment. At the
// end, the store still open: the table's and its indexes' size, the
// write-ahead log since the last checkpoint (what a store killed then would
// replay), the log's folder and the whole folder; a wide usage report's
// time, and each burst's speed.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { chinaDay } from '../libs/phone-verification/src/china-time.js';
import { systemClock } from '../libs/phone-verification/src/clock.js';
import type { LedgerSql } from '../libs/phone-verification/src/ledger/ledger-sql.js';
import { LEDGER_TABLE } from '../libs/phone-verification/src/ledger/ledger.migrations.js';
import { resolveLedger } from '../libs/phone-verification/src/ledger/ledger.options.js';
import { pgliteLedgerSql } from '../libs/phone-verification/src/ledger/pglite-ledger-sql.js';
import {
  DEFAULT_UPKEEP,
  type PgliteUpkeep,
} from '../libs/phone-verification/src/ledger/pglite-upkeep.js';
import { UsageLedger } from '../libs/phone-verification/src/ledger/usage-ledger.js';
import { normalizeVerificationRequest } from '../libs/phone-verification/src/validation/normalize-request.js';
import { distinctNames } from './identities.js';
import { countAfter } from './flags.js';
import { median, SMOKE } from './load.js';
import { freshLedgerDir } from './processes.js';

const ROUNDS = SMOKE ? 2 : (countAfter('--rounds') ?? 10);
/** Verifications per burst: a "sent" row and its completion each. */
const BURST = SMOKE ? 200 : 4_000;
const IN_FLIGHT = 50;
/** Past the thread's quiet second: when it vacuums if due. */
const QUIET_MS = 1_500;
const SECRET = 'bench-ledger-secret-0123456789abcdef-0123';
/** What the store did before its upkeep: never a vacuum, never a checkpoint. */
const NEVER: PgliteUpkeep = {
  quietMs: 2 ** 31 - 1,
  overdueMs: Infinity,
  freezeAge: Infinity,
  checkpointWalBytes: Infinity,
};

const names = distinctNames(2_000);
const asks = names.map((name) => ({
  request: normalizeVerificationRequest(
    { name, phone: '13800000000', idCard: '11010519491231002X' },
    'short',
  ),
  caller: 'tenant-a',
}));

async function contender(label: string, upkeep?: PgliteUpkeep) {
  const dir = freshLedgerDir();
  const sql = await pgliteLedgerSql({ dataDir: dir }, upkeep);
  const options = resolveLedger({ store: { sql }, secret: SECRET }, 30_000);
  if (!options) throw new Error('no ledger');
  const ledger = new UsageLedger(sql, options, systemClock);
  await ledger.start();
  return {
    label,
    dir,
    sql,
    ledger,
    burstMs: [] as number[],
    xid: await xid(sql),
  };
}

/** The store's next transaction id (taking one). */
async function xid(sql: LedgerSql): Promise<number> {
  const { rows } = await sql.query<{ xid: number }>(
    'SELECT txid_current()::float8 AS xid',
  );
  return rows[0].xid;
}

type Contender = Awaited<ReturnType<typeof contender>>;

async function burst({ ledger, burstMs }: Contender, round: number) {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < BURST) {
      const i = next++;
      const id = await ledger.sent(asks[(round * BURST + i) % asks.length]);
      await ledger.completed(id, {
        completedAt: Date.now(),
        status: 'consistent',
        resultCode: 0,
        billed: true,
        mayHaveBilled: false,
        attempts: 1,
        latencyMs: 12,
        traceId: randomUUID(),
      });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  burstMs.push(performance.now() - started);
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

const contenders = [
  await contender('vacuumed and checkpointed (now)'),
  await contender('vacuumed, never checkpointed', {
    ...DEFAULT_UPKEEP,
    checkpointWalBytes: Infinity,
  }),
  await contender('neither', NEVER),
];
for (let round = 0; round < ROUNDS; round++) {
  // Rotated, so each sees the same machine's moments.
  const order = contenders.map(
    (_, k) => contenders[(k + round) % contenders.length],
  );
  for (const c of order) await burst(c, round);
  await new Promise((quiet) => setTimeout(quiet, QUIET_MS));
}

const today = chinaDay(Date.now());
const lines: string[] = [];
for (const c of contenders) {
  const { rows } = await c.sql.query<{
    total: number;
    heap: number;
    wal: number;
  }>(
    `SELECT pg_total_relation_size('${LEDGER_TABLE}')::float8 AS total, pg_relation_size('${LEDGER_TABLE}')::float8 AS heap, (SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), redo_lsn)::float8 FROM pg_control_checkpoint()) AS wal`,
  );
  const xidsPerVerification = (await xid(c.sql)) - c.xid - 1;
  const reportMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await c.ledger.usage({ from: today, to: today });
    reportMs.push(performance.now() - started);
  }
  const [walFolder, folder] = [join(c.dir, 'pg_wal'), c.dir].map((dir) =>
    Number(
      execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0],
    ),
  );
  await c.ledger.close();
  rmSync(c.dir, { recursive: true, force: true });
  const perSecond = (ms: number) => ((BURST * 1000) / ms).toFixed(0);
  lines.push(
    `| ${c.label} | ${mb(rows[0].total)} | ${mb(rows[0].heap)} | ${mb(rows[0].wal)} | ${mb(walFolder)} | ${mb(folder)} | ${median(reportMs).toFixed(0)} | ${perSecond(median(c.burstMs))} | ${perSecond(Math.max(...c.burstMs))} | ${(xidsPerVerification / (ROUNDS * BURST)).toFixed(2)} |`,
  );
}
process.stdout.write(
  `\n| embedded store (${ROUNDS} bursts of ${BURST} verifications, ${IN_FLIGHT} at a time, ${QUIET_MS} ms quiet after each; Node ${process.version}) | table and indexes (MB) | table (MB) | log since the last checkpoint (MB) | pg_wal (MB) | folder (MB) | wide report (ms, median of 5) | verifications/s, median burst | slowest burst | transaction ids per verification |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n${lines.join('\n')}\n`,
);
