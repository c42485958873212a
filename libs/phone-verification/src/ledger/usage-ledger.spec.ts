import {
  identityDigest,
  legacyIdentityDigest,
} from '../privacy/identity-digest.js';
import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestDatabase,
  type TestDatabase,
} from '../../../../test/support/postgres-database.js';
import { chinaDay } from '../china-time.js';
import type { Clock } from '../clock.js';
import { LedgerUnavailableError } from '../errors/ledger.errors.js';
import { rejectionOf } from '../testing/rejection-of.js';
import { normalizeVerificationRequest } from '../validation/normalize-request.js';
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import {
  LEDGER_COLUMNS,
  type LedgerCompletion,
  type LedgerRow,
} from './ledger-row.js';
import { LedgerStoreWrites } from './ledger-store-writes.js';
import type { RecentQuery } from './recent-verifications.js';
import type { LedgerSql } from './ledger-sql.js';
import { resolveLedger, type LedgerOptions } from './ledger.options.js';
import {
  LEDGER_MIGRATIONS_TABLE,
  LEDGER_REJECTIONS_TABLE,
  LEDGER_SCHEMA_VERSION,
  LEDGER_TABLE,
} from './ledger.migrations.js';
import { EmbeddedLedgerInUseError } from '../errors/boot.errors.js';
import { lockEmbeddedStore } from './embedded-store-lock.js';
import {
  LedgerSpool,
  LedgerSpoolInUseError,
  type SpoolRecord,
} from './ledger-spool.js';
import { freshLedgerDir } from '../../../../test/support/ledger-template.js';
import { readUntil, until } from '../../../../test/support/read-until.js';
import { mountSmallDisk } from '../../../../test/support/small-disk.js';
import { pgliteLedgerSql } from './pglite-ledger-sql.js';
import { ledgerStatement } from './ledger-statements.js';
import { REPORT_WINDOW_DAYS } from './usage-report.js';
import { postgresLedgerSql } from './postgres-ledger-sql.js';
import { UsageLedger } from './usage-ledger.js';
import { openUsageLedger } from './open-usage-ledger.js';

const SECRET = 'a-ledger-secret-of-at-least-32-characters';
const ZHANG = {
  name: '张三',
  phone: '13800000000',
  idCard: '11010519491231002X',
};
const LI = { name: '李四', phone: '13900000001', idCard: '110105198001011238' };
const ask = (identity: typeof ZHANG, caller = 'tenant-a') => ({
  request: normalizeVerificationRequest(identity, 'short'),
  caller,
});

/** A clock the test moves. */
function testClock(
  start = Date.UTC(2026, 11, 1, 4),
): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    sleep: () => Promise.resolve(),
    advance: (ms) => {
      now += ms;
    },
  };
}

/** Whether `condition` holds within 10 s, looked at every 20 ms. */
const soon = (condition: () => Promise<boolean> | boolean) =>
  until(condition, { everyMs: 20, forMs: 10_000 });

/** The real store, counting the writes sent to it; `loseNextInsertAck` loses the answer of the next INSERT after it ran. */
function counted(sql: LedgerSql) {
  let writes = 0;
  let lostAck = false;
  const wrapped: LedgerSql = {
    ...sql,
    async query(text, params) {
      if (/^\s*(INSERT|UPDATE|DELETE)/.test(text)) writes += 1;
      const result = await sql.query(text, params);
      if (lostAck && text.trimStart().startsWith('INSERT')) {
        lostAck = false;
        throw new Error('Connection terminated unexpectedly');
      }
      return result as never;
    },
    transaction: (work) => sql.transaction(work),
    close: () => sql.close(),
  };
  return {
    sql: wrapped,
    writes: () => writes,
    loseNextInsertAck: () => {
      lostAck = true;
    },
  };
}

/** Whether a statement writes the ledger. */
const isWrite = (text: string) => /^\s*(INSERT|UPDATE|WITH)/.test(text);

function answered(
  clock: Clock,
  fields: Partial<LedgerCompletion> = {},
): LedgerCompletion {
  return {
    completedAt: clock.now(),
    status: 'consistent',
    resultCode: 0,
    billed: true,
    mayHaveBilled: false,
    attempts: 1,
    latencyMs: 12,
    traceId: 'trace-1',
    ...fields,
  };
}

/** A billed call of `who`'s, then a free answer (from the cache) for them. */
async function billedAndFree(
  ledger: UsageLedger,
  clock: Clock,
  who: typeof ZHANG,
): Promise<void> {
  await ledger.completed(await ledger.sent(ask(who), 30_000), answered(clock));
  await ledger.answeredFree(
    ask(who),
    'cache',
    answered(clock, { billed: false }),
  );
}

/** A "sent" row of `caller`'s, as the ledger writes one before a call. */
function sentRow(clock: Clock, caller: string): LedgerRow {
  return {
    id: randomUUID(),
    sentAt: clock.now(),
    chinaDay: chinaDay(clock.now()),
    deadlineAt: clock.now() + 30_000,
    replica: 'replica-1',
    caller,
    verifyMode: 'short',
    encrypted: false,
    answeredBy: 'upstream',
  };
}

function ledgerOn(
  sql: LedgerSql,
  clock: Clock,
  options: Partial<LedgerOptions> = {},
): UsageLedger {
  const resolved = resolveLedger(
    { store: { sql }, secret: SECRET, ...options },
    30_000,
  );
  if (!resolved) throw new Error('no ledger');
  return new UsageLedger(sql, resolved, clock);
}

interface Store {
  readonly name: string;
  open(): Promise<LedgerSql>;
  /** Every text in every table of the store, for the privacy scan. */
  dump(sql: LedgerSql): Promise<string>;
  close(): Promise<void>;
}

async function dumpTables(sql: LedgerSql): Promise<string> {
  const { rows: tables } = await sql.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
  );
  let all = '';
  for (const { table_name } of tables) {
    const { rows } = await sql.query(`SELECT * FROM ${table_name}`);
    all += JSON.stringify(rows);
  }
  return all;
}

const STORES: (() => Store)[] = [
  () => {
    let db: TestDatabase | undefined;
    return {
      name: 'PostgreSQL',
      async open() {
        db ??= await createTestDatabase();
        return postgresLedgerSql({ url: db.url });
      },
      dump: dumpTables,
      close: async () => db?.drop(),
    };
  },
  () => {
    // A copy of one empty store made once (PGlite's initdb takes seconds).
    let dir: string | undefined;
    return {
      name: 'PGlite',
      open: () => pgliteLedgerSql({ dataDir: (dir ??= freshLedgerDir()) }),
      dump: dumpTables,
      close: async () => {
        if (dir) rmSync(dir, { recursive: true, force: true });
      },
    };
  },
];

describe.each(STORES.map((make) => [make().name, make] as const))(
  'UsageLedger on %s',
  (_name, make) => {
    let store: Store;
    let sql: LedgerSql;
    let clock: ReturnType<typeof testClock>;
    let ledger: UsageLedger;

    beforeEach(async () => {
      store = make();
      sql = await store.open();
      clock = testClock();
      ledger = ledgerOn(sql, clock);
      await ledger.start();
    }, 30_000);

    afterEach(async () => {
      await ledger.close();
      await store.close();
    });

    it('counts per China day what went upstream, what was billed and what cost nothing', async () => {
      const billed = await ledger.sent(ask(ZHANG), 30_000);
      await ledger.completed(billed, answered(clock));
      const inconsistent = await ledger.sent(ask(LI, 'tenant-b'), 30_000);
      await ledger.completed(
        inconsistent,
        answered(clock, { status: 'inconsistent', resultCode: 1 }),
      );
      const timedOut = await ledger.sent(ask(LI), 30_000);
      await ledger.completed(
        timedOut,
        answered(clock, {
          status: 'error',
          resultCode: undefined,
          billed: false,
          mayHaveBilled: true,
          errorCode: 'upstream_timeout',
        }),
      );
      const noRecord = await ledger.sent(ask(ZHANG), 30_000);
      await ledger.completed(
        noRecord,
        answered(clock, { status: 'no_record', resultCode: -1, billed: false }),
      );
      await ledger.answeredFree(
        ask(ZHANG),
        'cache',
        answered(clock, { billed: false }),
      );
      await ledger.answeredFree(
        ask(ZHANG),
        'shared',
        answered(clock, { billed: false }),
      );
      await ledger.answeredFree(
        ask(LI),
        'budget_refused',
        answered(clock, {
          status: 'error',
          billed: false,
          errorCode: 'budget_exhausted',
        }),
      );
      const day = chinaDay(clock.now());

      const report = await ledger.usage({ from: day, to: day });

      const expected = {
        upstreamCalls: 4,
        billed: 2,
        mayHaveBilled: 1,
        cacheHits: 1,
        shared: 1,
        budgetRefused: 1,
        rejected: 0,
      };
      expect(report).toEqual({
        from: day,
        to: day,
        days: [{ day, ...expected }],
        totals: expected,
        codes: [
          { code: -1, status: 'no_record', answers: 1, billed: 0 },
          { code: 0, status: 'consistent', answers: 1, billed: 1 },
          { code: 1, status: 'inconsistent', answers: 1, billed: 1 },
        ],
      });
      const byCaller = await ledger.usage({
        from: day,
        to: day,
        groupBy: 'caller',
      });
      expect(byCaller.days.map((d) => [d.caller, d.upstreamCalls])).toEqual([
        ['tenant-a', 3],
        ['tenant-b', 1],
      ]);
      const oneCaller = await ledger.usage({
        from: day,
        to: day,
        caller: 'tenant-b',
      });
      expect(oneCaller.totals.billed).toBe(1);
      expect(await ledger.billedOn(day)).toBe(3);
    });

    it('reads a wide report a few days at a time, and adds the windows up right', async () => {
      // A billed call every third day for 40 days, a cache hit every day.
      const first = chinaDay(clock.now());
      for (let d = 0; d < 40; d++) {
        if (d % 3 === 0) {
          await ledger.completed(
            await ledger.sent(ask(ZHANG, `tenant-${d % 2}`), 30_000),
            answered(clock),
          );
        }
        await ledger.answeredFree(
          ask(LI),
          'cache',
          answered(clock, { billed: false }),
        );
        clock.advance(86_400_000);
      }
      const last = chinaDay(clock.now() - 86_400_000);
      const spans: number[] = [];
      const reading: LedgerSql = {
        query(text, params) {
          if (/GROUP BY/.test(text) && params)
            spans.push(
              (Date.parse(String(params[1])) - Date.parse(String(params[0]))) /
                86_400_000 +
                1,
            );
          return sql.query(text, params);
        },
        transaction: (work) => sql.transaction(work),
        close: async () => undefined,
      };
      const report = await ledgerOn(reading, clock).usage({
        from: '2000-01-01',
        to: '2099-12-31',
      });
      // No statement reads more than a window; only the days holding rows are read.
      expect(Math.max(...spans)).toBeLessThanOrEqual(REPORT_WINDOW_DAYS);
      expect(spans.length).toBeLessThanOrEqual(
        2 * Math.ceil(40 / REPORT_WINDOW_DAYS),
      );
      expect(report.days).toHaveLength(40);
      expect(report.days[0].day).toBe(first);
      expect(report.days.at(-1)?.day).toBe(last);
      expect(report.totals).toEqual({
        upstreamCalls: 14,
        billed: 14,
        mayHaveBilled: 0,
        cacheHits: 40,
        shared: 0,
        budgetRefused: 0,
        rejected: 0,
      });
      expect(report.codes).toEqual([
        { code: 0, status: 'consistent', answers: 14, billed: 14 },
      ]);
      const byCaller = await ledger.usage({
        from: first,
        to: last,
        groupBy: 'caller',
      });
      expect(byCaller.days.filter((d) => d.caller === 'tenant-1').length).toBe(
        7,
      );
    });

    it('reads reports one at a time, in the order asked: a second waits until the first is read', async () => {
      for (let d = 0; d < 10; d++) {
        await ledger.answeredFree(ask(LI), 'cache', answered(clock));
        clock.advance(86_400_000);
      }
      const order: string[] = [];
      let first = true;
      const reading: LedgerSql = {
        query(text, params) {
          if (/GROUP BY/.test(text)) order.push(String(params?.[3] ?? 'all'));
          return sql.query(text, params);
        },
        // The first report's migrations are slow: the second report, asked
        // after it, still waits for it.
        async transaction(work) {
          if (first) {
            first = false;
            await new Promise((r) => setTimeout(r, 100));
          }
          return sql.transaction(work);
        },
        close: async () => undefined,
      };
      const reports = ledgerOn(reading, clock);
      const [a, b] = await Promise.all([
        reports.usage({ from: '2000-01-01', to: '2099-12-31' }),
        reports.usage({
          from: '2000-01-01',
          to: '2099-12-31',
          caller: 'tenant-a',
        }),
      ]);
      expect(a.totals.cacheHits).toBe(10);
      expect(b.totals.cacheHits).toBe(10);
      // All of the first report's statements, then all of the second's.
      const firstOfSecond = order.indexOf('tenant-a');
      expect(firstOfSecond).toBeGreaterThan(0);
      expect(order.slice(firstOfSecond).every((c) => c === 'tenant-a')).toBe(
        true,
      );
    });

    it('lists the newest verifications, masked, and finds one by trace_id; tells outcomes and upstream latency per day', async () => {
      const latencies = [10, 20, 30, 40, 1000];
      for (const [i, latencyMs] of latencies.entries()) {
        clock.advance(1_000);
        await ledger.completed(
          await ledger.sent(ask(i % 2 ? LI : ZHANG), 30_000),
          answered(clock, { latencyMs, traceId: `trace-${i}` }),
        );
      }
      clock.advance(1_000);
      await ledger.answeredFree(
        ask(ZHANG),
        'cache',
        answered(clock, { billed: false, traceId: 'trace-4' }),
      );
      clock.advance(1_000);
      await ledger.answeredFree(
        ask(LI),
        'budget_refused',
        answered(clock, {
          status: 'error',
          resultCode: undefined,
          billed: false,
          errorCode: 'budget_exhausted',
          traceId: undefined,
        }),
      );
      clock.advance(1_000);
      const stuck = await ledger.sent(ask(LI), 30_000);
      clock.advance(60_000);

      const recent = await ledger.recent({ limit: 3 });
      expect(recent).toEqual([
        {
          sentAt: new Date(clock.now() - 60_000),
          caller: 'tenant-a',
          maskedPhone: '139****0001',
          answeredBy: 'upstream',
          billed: false,
          mayHaveBilled: true,
        },
        {
          sentAt: new Date(clock.now() - 61_000),
          caller: 'tenant-a',
          maskedPhone: '139****0001',
          answeredBy: 'budget_refused',
          status: 'error',
          billed: false,
          mayHaveBilled: false,
          errorCode: 'budget_exhausted',
          latencyMs: 12,
        },
        expect.objectContaining({
          answeredBy: 'cache',
          status: 'consistent',
          traceId: 'trace-4',
        }),
      ]);
      expect(stuck).toEqual(expect.any(String));
      expect(await ledger.recent()).toHaveLength(8);
      const traced = await ledger.recent({ traceId: 'trace-4' });
      expect(traced.map((r) => r.answeredBy)).toEqual(['cache', 'upstream']);
      expect(await ledger.recent({ traceId: 'no-such-trace' })).toEqual([]);

      const day = chinaDay(clock.now());
      const outcomes = await ledger.outcomes({ from: day, to: day });
      expect(outcomes).toEqual({
        from: day,
        to: day,
        byStatus: { consistent: 6, error: 1 },
        // Of the five completed upstream calls: 10, 20, 30, 40, 1000 ms.
        upstreamLatencyMs: { p50: 30, p99: 962 },
      });
      expect(
        await ledger.outcomes({ from: '2000-01-01', to: '2000-01-02' }),
      ).toMatchObject({ byStatus: {}, upstreamLatencyMs: null });
    });

    it('finds any call: by trace_id prefix (LIKE wildcards literal), status, caller and China days, a page at a time', async () => {
      const traceIds = ['ab_1', 'ab%2', 'abX3', 'zz-4'];
      for (const [i, traceId] of traceIds.entries()) {
        clock.advance(1_000);
        await ledger.completed(
          await ledger.sent(
            ask(ZHANG, i % 2 ? 'tenant-b' : 'tenant-a'),
            30_000,
          ),
          answered(clock, {
            traceId,
            ...(i === 3 ? { status: 'inconsistent', resultCode: 1 } : {}),
          }),
        );
      }
      clock.advance(1_000);
      await ledger.sent(ask(LI, 'tenant-b'), 30_000);
      const traces = async (query: RecentQuery) =>
        (await ledger.recent(query)).map((r) => r.traceId ?? 'sent');

      expect(await traces({ traceIdPrefix: 'ab' })).toEqual([
        'abX3',
        'ab%2',
        'ab_1',
      ]);
      // `_` and `%` match themselves only.
      expect(await traces({ traceIdPrefix: 'ab_' })).toEqual(['ab_1']);
      expect(await traces({ traceIdPrefix: 'ab%' })).toEqual(['ab%2']);
      expect(await traces({ status: 'inconsistent' })).toEqual(['zz-4']);
      expect(await traces({ status: 'sent' })).toEqual(['sent']);
      expect(await traces({ caller: 'tenant-b' })).toEqual([
        'sent',
        'zz-4',
        'ab%2',
      ]);
      expect(await traces({ caller: 'tenant-b', traceIdPrefix: 'ab' })).toEqual(
        ['ab%2'],
      );
      const day = chinaDay(clock.now());
      expect(await traces({ from: day, to: day })).toHaveLength(5);
      expect(await traces({ to: '2000-01-01' })).toEqual([]);
      // Pages of two, newest first, then nothing past the end.
      expect(await traces({ limit: 2 })).toEqual(['sent', 'zz-4']);
      expect(await traces({ limit: 2, offset: 2 })).toEqual(['abX3', 'ab%2']);
      expect(await traces({ limit: 2, offset: 4 })).toEqual(['ab_1']);
      expect(await traces({ limit: 2, offset: 6 })).toEqual([]);
    });

    it('keeps the request’s own id on every row, so whatever id a caller got (AceData’s trace_id or the request’s) finds its call', async () => {
      const withId = (identity: typeof ZHANG, requestId: string) => ({
        ...ask(identity),
        requestId,
      });
      // Answered: AceData's trace id and the request's are both on the row.
      await ledger.completed(
        await ledger.sent(withId(ZHANG, 'req-answered-1'), 30_000),
        answered(clock, { traceId: 'acedata-1' }),
      );
      clock.advance(1_000);
      // The connection broke: no trace id from AceData, may have billed.
      await ledger.completed(
        await ledger.sent(withId(LI, 'req-lost_2'), 30_000),
        answered(clock, {
          status: 'error',
          resultCode: undefined,
          billed: false,
          mayHaveBilled: true,
          errorCode: 'connection_lost_after_send',
          traceId: undefined,
        }),
      );
      clock.advance(1_000);
      await ledger.answeredFree(
        withId(ZHANG, 'req-cached-3'),
        'cache',
        answered(clock, { billed: false, traceId: 'acedata-1' }),
      );

      const lost = await ledger.recent({ traceId: 'req-lost_2' });
      expect(lost).toEqual([
        expect.objectContaining({
          requestId: 'req-lost_2',
          mayHaveBilled: true,
          errorCode: 'connection_lost_after_send',
        }),
      ]);
      expect(lost[0]).not.toHaveProperty('traceId');
      const ids = async (query: RecentQuery) =>
        (await ledger.recent(query)).map((r) => r.requestId);
      expect(await ids({ traceId: 'acedata-1' })).toEqual([
        'req-cached-3',
        'req-answered-1',
      ]);
      expect(await ids({ traceId: 'req-answered-1' })).toEqual([
        'req-answered-1',
      ]);
      expect(await ids({ traceIdPrefix: 'req-' })).toEqual([
        'req-cached-3',
        'req-lost_2',
        'req-answered-1',
      ]);
      // LIKE's wildcards stay literal on the request's id too.
      expect(await ids({ traceIdPrefix: 'req_' })).toEqual([]);
      expect(await ids({ traceIdPrefix: 'req-lost_' })).toEqual(['req-lost_2']);
    });

    it('counts a row still "sent" past its deadline (its replica died mid-call) as may have billed', async () => {
      await ledger.sent(ask(ZHANG), 30_000);
      const day = chinaDay(clock.now());
      const during = await ledger.usage({ from: day, to: day });
      expect(during.totals).toMatchObject({
        upstreamCalls: 1,
        mayHaveBilled: 0,
      });
      expect(await ledger.billedOn(day)).toBe(1);

      clock.advance(30_001);

      const after = await ledger.usage({ from: day, to: day });
      expect(after.totals).toMatchObject({
        upstreamCalls: 1,
        mayHaveBilled: 1,
      });
    });

    it('forgets exactly one person: every row of theirs, whatever the verify mode, and no one else’s', async () => {
      await billedAndFree(ledger, clock, ZHANG);
      await ledger.sent(
        {
          request: normalizeVerificationRequest(
            { ...ZHANG, phone: '+86 138-0000-0000', verifyMode: 'detailed' },
            'short',
          ),
        },
        30_000,
      );
      await ledger.completed(
        await ledger.sent(ask(LI), 30_000),
        answered(clock),
      );

      expect(await ledger.forget({ ...ZHANG, phone: '138 0000 0000' })).toBe(3);
      expect(await ledger.forget(ZHANG)).toBe(0);
      const { rows } = await sql.query<{ masked_phone: string | null }>(
        `SELECT masked_phone FROM ${LEDGER_TABLE} WHERE subject_hmac IS NOT NULL`,
      );
      expect(rows).toEqual([{ masked_phone: '139****0001' }]);
      const { rows: erased } = await sql.query(
        `SELECT id FROM ${LEDGER_TABLE} WHERE masked_phone IS NOT NULL`,
      );
      expect(erased).toHaveLength(1);
    });

    it('writes the subject as its identity digest, and also forgets rows written up to 0.1 under the old one', async () => {
      const person = [ZHANG.name, ZHANG.phone, ZHANG.idCard];
      const now = identityDigest(SECRET, 'subject', person).toString('hex');
      const before = legacyIdentityDigest(SECRET, person).toString('hex');
      await ledger.completed(
        await ledger.sent(ask(ZHANG), 30_000),
        answered(clock),
      );
      await ledger.completed(
        await ledger.sent(ask(ZHANG), 30_000),
        answered(clock),
      );
      const subjects = async () =>
        (
          await sql.query<{ subject_hmac: string | null }>(
            `SELECT subject_hmac FROM ${LEDGER_TABLE} ORDER BY sent_at, id`,
          )
        ).rows.map((r) => r.subject_hmac);
      expect(await subjects()).toEqual([now, now]);
      // One row as 0.1 wrote it.
      await sql.query(
        `UPDATE ${LEDGER_TABLE} SET subject_hmac = $1
          WHERE id = (SELECT id FROM ${LEDGER_TABLE} ORDER BY id LIMIT 1)`,
        [before],
      );
      expect(await ledger.forget(ZHANG)).toBe(2);
      expect(await subjects()).toEqual([null, null]);
    });

    it('forgetting a person keeps the money facts of their calls: usage and the budget seed still count them, and a call in flight is still completed', async () => {
      const day = chinaDay(clock.now());
      for (let i = 0; i < 2; i++) {
        await ledger.completed(
          await ledger.sent(ask(ZHANG), 30_000),
          answered(clock, { traceId: `billed-${i}` }),
        );
      }
      const inFlight = await ledger.sent(ask(ZHANG), 30_000);

      expect(await ledger.forget(ZHANG)).toBe(3);
      await ledger.completed(inFlight, answered(clock, { traceId: 'late' }));

      const { totals } = await ledger.usage({ from: day, to: day });
      expect(totals).toMatchObject({ upstreamCalls: 3, billed: 3 });
      expect(await ledger.billedOn(day)).toBe(3);
      const { rows } = await sql.query<{ trace_id: string }>(
        `SELECT trace_id FROM ${LEDGER_TABLE} ORDER BY trace_id`,
      );
      expect(rows.map((r) => r.trace_id)).toEqual([
        'billed-0',
        'billed-1',
        'late',
      ]);
      expect(await store.dump(sql)).not.toContain('138****0000');
    });

    it('records any completion, whatever upstream sent (a NUL, a 6000-character trace id, a code past any integer), and stays available', async () => {
      const hostile: Partial<LedgerCompletion>[] = [
        { traceId: 't\u0000x' },
        {
          traceId: Array.from({ length: 6000 }, () =>
            Math.random().toString(36).charAt(2),
          ).join(''),
        },
        { resultCode: 3_000_000_000, status: 'unknown' },
        { errorCode: 'e\u0000'.repeat(3000), status: 'error', billed: false },
      ];
      for (const fields of hostile) {
        const id = await ledger.sent(ask(ZHANG), 30_000);
        await ledger.completed(id, answered(clock, fields));
        expect(ledger.storeAvailable()).toBe(true);
      }
      await ledger.completed(
        await ledger.sent(ask(LI), 30_000),
        answered(clock),
      );

      expect(ledger.backlog()).toBe(0);
      const { rows } = await sql.query<{ completed_at: Date | null }>(
        `SELECT completed_at FROM ${LEDGER_TABLE}`,
      );
      expect(rows).toHaveLength(5);
      expect(rows.every((r) => r.completed_at !== null)).toBe(true);
      const day = chinaDay(clock.now());
      expect((await ledger.usage({ from: day, to: day })).totals).toMatchObject(
        { upstreamCalls: 5, billed: 4, mayHaveBilled: 0 },
      );
    });

    it('a write the store refuses for its content is recorded with its money facts alone; it never passes for a store away', async () => {
      await sql.query(
        `ALTER TABLE ${LEDGER_TABLE} ADD CONSTRAINT no_poison CHECK (trace_id NOT LIKE 'poison%')`,
      );
      const poisoned = await ledger.sent(ask(ZHANG), 30_000);
      await ledger.completed(
        poisoned,
        answered(clock, { traceId: 'poison-1' }),
      );
      await ledger.answeredFree(
        ask(ZHANG),
        'cache',
        answered(clock, { billed: false, traceId: 'poison-2' }),
      );

      expect(ledger.storeAvailable()).toBe(true);
      expect(ledger.backlog()).toBe(0);
      const next = await ledger.sent(ask(LI), 30_000);
      await ledger.completed(next, answered(clock));
      const { rows } = await sql.query<{
        answered_by: string;
        billed: boolean;
        status: string;
      }>(
        `SELECT answered_by, billed, status FROM ${LEDGER_TABLE} ORDER BY sent_at, answered_by, status`,
      );
      expect(
        rows.map((r) => `${r.answered_by} ${r.status} ${r.billed}`).toSorted(),
      ).toEqual([
        'cache unrecordable false',
        'upstream consistent true',
        'upstream unrecordable true',
      ]);
    });

    /**
     * A second ledger on the same store, counting its commits (transactions
     * and lone writes) and its write statements, in transactions or not.
     */
    async function countingLedger() {
      const commits = { transactions: 0, lone: 0, statements: 0, rows: 0 };
      const wrote = (text: string, params?: readonly unknown[]) => {
        if (!isWrite(text)) return;
        commits.statements += 1;
        // The most rows one write carried (each row its columns' values).
        const rows = (params?.length ?? 0) / LEDGER_COLUMNS.length;
        commits.rows = Math.max(commits.rows, Math.floor(rows));
      };
      const counting: LedgerSql = {
        query(text, params) {
          if (isWrite(text)) commits.lone += 1;
          wrote(text, params);
          return sql.query(text, params);
        },
        transaction(work) {
          commits.transactions += 1;
          return sql.transaction((tx) =>
            work({
              query(text, params) {
                wrote(text, params);
                return tx.query(text, params);
              },
            }),
          );
        },
        // The suite's ledger closes the store.
        close: async () => undefined,
      };
      const grouped = ledgerOn(counting, clock);
      await grouped.start();
      commits.transactions = 0;
      commits.lone = 0;
      commits.statements = 0;
      commits.rows = 0;
      return { grouped, commits };
    }

    it('rows written at the same moment share a transaction, and each caller is released with its own row in', async () => {
      const { grouped, commits } = await countingLedger();
      const ids = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          grouped.sent(ask(i % 2 ? ZHANG : LI, `tenant-${i}`), 30_000),
        ),
      );
      const { rows } = await sql.query<{ id: string; caller: string }>(
        `SELECT id, caller FROM ${LEDGER_TABLE}`,
      );
      expect(rows.map((r) => r.id).toSorted()).toEqual(ids.toSorted());
      // The first went alone, the 39 that came meanwhile together, each
      // group in one multi-row statement.
      expect(commits.lone + commits.transactions).toBeLessThanOrEqual(3);
      expect(commits.statements).toBeLessThanOrEqual(3);
      await Promise.all(
        ids.map((id) => grouped.completed(id, answered(clock))),
      );
      const { rows: done } = await sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${LEDGER_TABLE} WHERE status = 'consistent'`,
      );
      expect(done[0].n).toBe(40);
      expect(commits.lone + commits.transactions).toBeLessThanOrEqual(6);
      expect(commits.statements).toBeLessThanOrEqual(6);
      await grouped.close();
    });

    it('a group of rows and completions lands as if written in turn, in one statement and no transaction: each completion on its own row', async () => {
      const { grouped, commits } = await countingLedger();
      const ids = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          grouped.sent(ask(ZHANG, `tenant-${i}`), 30_000),
        ),
      );
      commits.statements = 0;
      // Completions, new calls and free answers, all at the same moment.
      await Promise.all([
        ...ids.map((id, i) =>
          grouped.completed(
            id,
            answered(clock, { traceId: `trace-${i}`, attempts: i + 1 }),
          ),
        ),
        grouped.answeredFree(ask(LI, 'free'), 'cache', answered(clock)),
        grouped.sent(ask(LI, 'late'), 30_000),
      ]);
      // The first completion went alone, the other seven together: one
      // statement each, atomic on its own (no BEGIN and COMMIT round trips).
      expect(commits.transactions).toBe(0);
      expect(commits.statements).toBeLessThanOrEqual(2);
      const { rows } = await sql.query<{
        caller: string;
        trace_id: string | null;
        attempts: number;
        answered_by: string;
      }>(
        `SELECT caller, trace_id, attempts, answered_by FROM ${LEDGER_TABLE} ORDER BY caller`,
      );
      expect(rows.map((r) => [r.caller, r.trace_id, r.attempts])).toEqual([
        ['free', answered(clock).traceId ?? null, answered(clock).attempts],
        ['late', null, 0],
        ...ids.map((_, i) => [`tenant-${i}`, `trace-${i}`, i + 1]),
      ]);
      await grouped.close();
    });

    it('one statement writes a row with the completion given with it, and completes a row already there whose "sent" row comes again', async () => {
      const [fresh, there] = [sentRow(clock, 'fresh'), sentRow(clock, 'there')];
      const writes = new LedgerStoreWrites(sql, new Logger('test'));
      await writes.applyGroup([{ op: 'insert', row: there }]);
      await writes.applyGroup([
        { op: 'insert', row: fresh },
        {
          op: 'complete',
          id: fresh.id,
          completion: answered(clock, { traceId: 'first' }),
        },
        { op: 'insert', row: there },
        {
          op: 'complete',
          id: there.id,
          completion: answered(clock, { traceId: 'replayed' }),
        },
        {
          op: 'complete',
          id: fresh.id,
          completion: answered(clock, { traceId: 'last' }),
        },
      ]);
      const { rows } = await sql.query<{ caller: string; trace_id: string }>(
        `SELECT caller, trace_id FROM ${LEDGER_TABLE} ORDER BY caller`,
      );
      expect(rows).toEqual([
        { caller: 'fresh', trace_id: 'last' },
        { caller: 'there', trace_id: 'replayed' },
      ]);
    });

    it('one row of a group refused for its content costs the others nothing', async () => {
      await sql.query(
        `ALTER TABLE ${LEDGER_TABLE} ADD CONSTRAINT no_poison CHECK (trace_id NOT LIKE 'poison%')`,
      );
      const { grouped, commits } = await countingLedger();
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          grouped.answeredFree(
            ask(ZHANG, `tenant-${i}`),
            'cache',
            answered(clock, {
              billed: false,
              traceId: i === 5 ? 'poison-5' : `trace-${i}`,
            }),
          ),
        ),
      );
      // Nine of them went in one statement, refused for the poisoned one.
      expect(commits.rows).toBeGreaterThan(1);
      expect(grouped.storeAvailable()).toBe(true);
      const { rows } = await sql.query<{ caller: string; status: string }>(
        `SELECT caller, status FROM ${LEDGER_TABLE} ORDER BY caller`,
      );
      expect(rows).toHaveLength(10);
      expect(rows.filter((r) => r.status === 'unrecordable')).toHaveLength(1);
      await grouped.close();
    });

    it('keeps no raw name, phone or ID number in any table', async () => {
      for (const who of [ZHANG, LI]) {
        await ledger.completed(
          await ledger.sent(ask(who), 30_000),
          answered(clock),
        );
        await ledger.answeredFree(
          ask(who),
          'cache',
          answered(clock, { billed: false }),
        );
      }
      const everything = await store.dump(sql);
      expect(everything).toContain('138****0000');
      for (const who of [ZHANG, LI]) {
        for (const raw of [
          who.name,
          who.phone,
          who.idCard,
          who.idCard.slice(0, 14),
        ]) {
          expect(everything).not.toContain(raw);
        }
      }
      expect(everything).not.toContain(SECRET);
    });

    it('counts requests refused for their input per caller and China day, a number only, in usage()', async () => {
      ledger.rejected('tenant-a');
      ledger.rejected('tenant-a');
      ledger.rejected();
      await ledger.completed(
        await ledger.sent(ask(ZHANG, 'tenant-b'), 30_000),
        answered(clock),
      );
      const today = chinaDay(clock.now());
      clock.advance(86_400_000);
      ledger.rejected('tenant-b');
      const tomorrow = chinaDay(clock.now());

      const report = await ledger.usage({ from: today, to: tomorrow });
      expect(report.days.map((d) => [d.day, d.rejected, d.billed])).toEqual([
        [today, 3, 1],
        [tomorrow, 1, 0],
      ]);
      expect(report.totals.rejected).toBe(4);
      const byCaller = await ledger.usage({
        from: today,
        to: tomorrow,
        groupBy: 'caller',
      });
      expect(
        byCaller.days.map((d) => [d.day, d.caller, d.rejected, d.billed]),
      ).toEqual([
        [today, 'tenant-b', 0, 1],
        [today, undefined, 1, 0],
        [today, 'tenant-a', 2, 0],
        [tomorrow, 'tenant-b', 1, 0],
      ]);
      const one = await ledger.usage({
        from: today,
        to: tomorrow,
        caller: 'tenant-a',
      });
      expect(one.totals).toMatchObject({ rejected: 2, billed: 0 });
      // Counted again later: added to the day's count, not in its place.
      ledger.rejected('tenant-b');
      expect(
        (await ledger.usage({ from: tomorrow, to: tomorrow })).totals.rejected,
      ).toBe(2);
      // No row of the ledger for them: nothing to list, nothing of anyone.
      expect(await ledger.recent()).toHaveLength(1);
    });

    it('writes the refusals counted on its own each flush interval, and at close', async () => {
      ledger.rejected('tenant-a');
      const day = chinaDay(clock.now());
      const stored = async () =>
        (
          await sql.query<{ rejected: string | number }>(
            `SELECT rejected FROM ${LEDGER_REJECTIONS_TABLE} WHERE caller = 'tenant-a'`,
          )
        ).rows.map((r) => Number(r.rejected));
      expect(await soon(async () => (await stored())[0] === 1)).toBe(true);
      ledger.rejected('tenant-a');
      await ledger.close();
      sql = await store.open();
      ledger = ledgerOn(sql, clock);
      await ledger.start();
      expect(await stored()).toEqual([2]);
      expect((await ledger.usage({ from: day, to: day })).totals.rejected).toBe(
        2,
      );
    });

    it('purges rows older than the retention', async () => {
      await ledger.close();
      sql = await store.open();
      ledger = ledgerOn(sql, clock, { retentionDays: 7 });
      await ledger.start();
      await ledger.completed(
        await ledger.sent(ask(ZHANG), 30_000),
        answered(clock),
      );
      clock.advance(3 * 86_400_000);
      await ledger.completed(
        await ledger.sent(ask(LI), 30_000),
        answered(clock),
      );
      clock.advance(5 * 86_400_000);

      expect(await ledger.purge()).toBe(1);
      const { rows } = await sql.query(`SELECT id FROM ${LEDGER_TABLE}`);
      expect(rows).toHaveLength(1);
      // Refusals counted 8 days ago go too; today's stay.
      await sql.query(
        `INSERT INTO ${LEDGER_REJECTIONS_TABLE} (china_day, caller, rejected) VALUES ($1, '', 5)`,
        [chinaDay(clock.now() - 8 * 86_400_000)],
      );
      ledger.rejected();
      await ledger.usage({ from: '2026-01-01', to: '2026-01-01' });
      await ledger.purge();
      expect(
        (await sql.query(`SELECT rejected FROM ${LEDGER_REJECTIONS_TABLE}`))
          .rows,
      ).toEqual([{ rejected: expect.anything() }]);
    });

    it('purges on its own while it runs, not only at start', async () => {
      await ledger.close();
      sql = await store.open();
      const resolved = resolveLedger(
        { store: { sql }, secret: SECRET, retentionDays: 1 },
        30_000,
      );
      if (!resolved) throw new Error('no ledger');
      ledger = new UsageLedger(
        sql,
        { ...resolved, purgeIntervalMs: 20 },
        clock,
      );
      await ledger.start();
      await ledger.completed(
        await ledger.sent(ask(ZHANG), 30_000),
        answered(clock),
      );
      clock.advance(2 * 86_400_000);
      const count = async () =>
        (await sql.query(`SELECT id FROM ${LEDGER_TABLE}`)).rows.length;
      expect(await soon(async () => (await count()) === 0)).toBe(true);
    });
  },
);

describe('the embedded store', () => {
  it('refuses a second opener of its folder, naming the first, and opens again once closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-lock-'));
    try {
      const first = await pgliteLedgerSql({ dataDir: dir });
      const second = await rejectionOf(
        pgliteLedgerSql({ dataDir: dir }),
        EmbeddedLedgerInUseError,
      );
      expect(second).toBeInstanceOf(EmbeddedLedgerInUseError);
      expect((second as Error).message).toContain(`process ${process.pid}`);
      await first.close();
      const again = await pgliteLedgerSql({ dataDir: dir });
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it("vacuums the ledger's table once calls have completed and the app is quiet (PGlite runs no autovacuum)", async () => {
    const { sql, done } = await embeddedStore();
    const clock = testClock();
    const ledger = ledgerOn(sql, clock);
    const vacuums = async () => {
      const { rows } = await sql.query<{ n: number }>(
        'SELECT vacuum_count::int AS n FROM pg_stat_user_tables WHERE relname = $1',
        [LEDGER_TABLE],
      );
      return rows[0].n;
    };
    try {
      await ledger.start();
      const before = await vacuums();
      for (let i = 0; i < 40; i += 1) await billedAndFree(ledger, clock, ZHANG);
      expect(await vacuums()).toBe(before);
      // Read less often than the store's quiet second: the reads leave it quiet.
      const after = await readUntil(vacuums, (n) => n > before, {
        everyMs: 1_500,
        forMs: 15_000,
      });
      expect(after).toBe(before + 1);
    } finally {
      await ledger.close();
      done();
    }
  }, 30_000);
});

/** A parameter's value as an SQL literal, for `EXPLAIN EXECUTE`. */
const literal = (v: unknown) =>
  v === null
    ? 'NULL'
    : `'${(v instanceof Date ? v.toISOString() : String(v)).replaceAll("'", "''")}'`;

/** An embedded store in a folder of its own, and how to remove it. */
async function embeddedStore() {
  const dir = freshLedgerDir();
  const sql = await pgliteLedgerSql({ dataDir: dir });
  return { sql, done: () => rmSync(dir, { recursive: true, force: true }) };
}

describe("the ledger's writes, kept prepared", () => {
  const WRITES = `${LEDGER_TABLE}_write_%`;
  /** A "sent" row (or a free answer's whole row), and a completion. */
  const SHAPES = [`${LEDGER_TABLE}_write_0_1`, `${LEDGER_TABLE}_write_1_0`];

  it.each([
    [
      'PGlite',
      'each shape of write is parsed once, then run as prepared',
      SHAPES,
      embeddedStore,
    ],
    [
      'PostgreSQL',
      'nothing is prepared, so that a pooler in transaction mode may stand in front',
      [],
      async () => {
        const db = await createTestDatabase();
        // One connection: the session whose prepared statements are listed.
        const sql = await postgresLedgerSql({ url: db.url, poolSize: 1 });
        return { sql, done: () => db.drop() };
      },
    ],
  ] as const)(
    'on %s, %s',
    async (_name, _what, names, open) => {
      const { sql, done } = await open();
      const clock = testClock();
      const ledger = ledgerOn(sql, clock);
      try {
        await ledger.start();
        for (const who of [ZHANG, LI, ZHANG]) {
          await billedAndFree(ledger, clock, who);
        }
        const { rows: prepared } = await sql.query<{ name: string }>(
          'SELECT name FROM pg_prepared_statements WHERE name LIKE $1 ORDER BY name',
          [WRITES],
        );
        expect(prepared.map((p) => p.name)).toEqual(names);
        const { rows } = await sql.query<{ answered_by: string; n: number }>(
          `SELECT answered_by, count(*)::int AS n FROM ${LEDGER_TABLE}
            WHERE completed_at IS NOT NULL GROUP BY answered_by ORDER BY answered_by`,
        );
        expect(rows).toEqual([
          { answered_by: 'cache', n: 3 },
          { answered_by: 'upstream', n: 3 },
        ]);
      } finally {
        await ledger.close();
        await done();
      }
    },
    30_000,
  );

  it('on PGlite, a write prepared while the table was small still finds its rows by key once it has grown', async () => {
    const { sql, done } = await embeddedStore();
    const clock = testClock();
    const ledger = ledgerOn(sql, clock);
    const writes = new LedgerStoreWrites(sql, new Logger('test'));
    // Two "sent" rows and the completions of the two before: one shape.
    const group = (previous: LedgerRow[]) => {
      const rows = [sentRow(clock, 'a'), sentRow(clock, 'b')];
      const records: SpoolRecord[] = [
        ...rows.map((row) => ({ op: 'insert' as const, row })),
        ...previous.map((row) => ({
          op: 'complete' as const,
          id: row.id,
          completion: answered(clock),
        })),
      ];
      return { rows, records };
    };
    try {
      await ledger.start();
      let previous = [sentRow(clock, 'a'), sentRow(clock, 'b')];
      await writes.applyGroup(
        previous.map((row) => ({ op: 'insert' as const, row })),
      );
      // More runs than PostgreSQL plans afresh before it may keep a generic plan.
      for (let i = 0; i < 10; i++) {
        const next = group(previous);
        await writes.applyGroup(next.records);
        previous = next.rows;
      }
      await sql.query(
        `INSERT INTO ${LEDGER_TABLE} (id, sent_at, china_day, deadline_at, replica, verify_mode, encrypted, answered_by)
            SELECT gen_random_uuid(), now(), '2026-12-01', now(), 'r', 'short', false, 'upstream'
            FROM generate_series(1, 5000)`,
      );
      const { name, params } = ledgerStatement(group(previous).records);
      expect(name).toBe(`${LEDGER_TABLE}_write_2_2`);
      const { rows: plan } = await sql.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN EXECUTE ${name}(${params.map(literal).join(', ')})`,
      );
      const lines = plan.map((line) => line['QUERY PLAN']).join('\n');
      expect(lines).toMatch(/Index Scan using \w+_pkey on \w+ t\b/);
      expect(lines).not.toMatch(/Seq Scan on \w+ t\b/);
    } finally {
      await ledger.close();
      await done();
    }
  }, 30_000);

  it('names a group by its shape, and leaves a group of more than 16 of a kind unnamed', () => {
    const clock = testClock();
    const inserts = (n: number) =>
      Array.from({ length: n }, () => ({
        op: 'insert' as const,
        row: sentRow(clock, 'tenant-a'),
      }));
    const completions = (n: number) =>
      Array.from({ length: n }, () => ({
        op: 'complete' as const,
        id: randomUUID(),
        completion: answered(clock),
      }));
    const [a, b] = [
      ledgerStatement([...inserts(2), ...completions(3)]),
      ledgerStatement([...completions(3), ...inserts(2)]),
    ];
    expect(a.name).toBe(`${LEDGER_TABLE}_write_2_3`);
    expect(b.name).toBe(a.name);
    expect(b.text).toBe(a.text);
    expect(ledgerStatement(inserts(16)).name).toBe(
      `${LEDGER_TABLE}_write_16_0`,
    );
    expect(ledgerStatement(inserts(17)).name).toBeUndefined();
    expect(ledgerStatement(completions(17)).name).toBeUndefined();
  });
});

describe('UsageLedger on PostgreSQL, with the server misbehaving', () => {
  let db: TestDatabase;
  let spoolDir: string;

  beforeEach(async () => {
    db = await createTestDatabase();
    spoolDir = mkdtempSync(join(tmpdir(), 'ledger-spool-'));
  });

  afterEach(async () => {
    await db.bringBack();
    await db.drop();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('applies each migration once when three replicas start together', async () => {
    const clock = testClock();
    const sqls = await Promise.all(
      [1, 2, 3].map(() => postgresLedgerSql({ url: db.url })),
    );
    const ledgers = sqls.map((sql, i) =>
      ledgerOn(sql, clock, { replica: `replica-${i + 1}` }),
    );

    await Promise.all(ledgers.map((l) => l.start()));

    const applied = await db.query<{ version: number; applied_by: string }>(
      `SELECT version, applied_by FROM ${LEDGER_MIGRATIONS_TABLE}`,
    );
    expect(applied).toHaveLength(LEDGER_SCHEMA_VERSION);
    expect(new Set(applied.map((r) => r.applied_by)).size).toBe(1);
    for (const ledger of ledgers) {
      await ledger.completed(
        await ledger.sent(ask(ZHANG), 30_000),
        answered(clock),
      );
    }
    const day = chinaDay(clock.now());
    expect((await ledgers[0].usage({ from: day, to: day })).totals.billed).toBe(
      3,
    );
    await Promise.all(ledgers.map((l) => l.close()));
  });

  it('brings a ledger made by the first schema up to date, its rows kept, and takes request ids on new rows', async () => {
    // The first schema as it was released, with one row on it.
    await db.query(
      `CREATE TABLE ${LEDGER_MIGRATIONS_TABLE} (version integer PRIMARY KEY,
        name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
        applied_by text NOT NULL)`,
    );
    await db.query(
      `INSERT INTO ${LEDGER_MIGRATIONS_TABLE} (version, name, applied_by) VALUES (1, 'ledger', 'old')`,
    );
    await db.query(
      `CREATE TABLE ${LEDGER_TABLE} (id uuid PRIMARY KEY, sent_at timestamptz NOT NULL,
        china_day date NOT NULL, deadline_at timestamptz NOT NULL, completed_at timestamptz,
        replica text NOT NULL, caller text, subject_hmac text, masked_phone text,
        verify_mode text NOT NULL, encrypted boolean NOT NULL, answered_by text NOT NULL,
        status text, result_code integer, billed boolean, may_have_billed boolean,
        error_code text, trace_id text, attempts integer NOT NULL DEFAULT 0, latency_ms integer)`,
    );
    const clock = testClock();
    await db.query(
      `INSERT INTO ${LEDGER_TABLE} (id, sent_at, china_day, deadline_at, completed_at, replica,
        verify_mode, encrypted, answered_by, status, billed, may_have_billed, trace_id, attempts)
       VALUES (gen_random_uuid(), $1, $2, $1, $1, 'old', 'short', false, 'upstream',
        'consistent', true, false, 'old-trace', 1)`,
      [new Date(clock.now()), chinaDay(clock.now())],
    );
    const ledger = ledgerOn(await postgresLedgerSql({ url: db.url }), clock);
    await ledger.start();
    clock.advance(1_000); // the new row is the newer one: recent() lists it first
    await ledger.completed(
      await ledger.sent({ ...ask(ZHANG), requestId: 'req-new' }, 30_000),
      answered(clock, { traceId: 'new-trace' }),
    );

    const versions = await db.query<{ version: number }>(
      `SELECT version FROM ${LEDGER_MIGRATIONS_TABLE} ORDER BY version`,
    );
    expect(versions.map((r) => Number(r.version))).toEqual(
      Array.from({ length: LEDGER_SCHEMA_VERSION }, (_, i) => i + 1),
    );
    expect(LEDGER_SCHEMA_VERSION).toBeGreaterThan(1);
    expect(
      (await ledger.recent()).map((r) => [r.traceId, r.requestId]),
    ).toEqual([
      ['new-trace', 'req-new'],
      ['old-trace', undefined],
    ]);
    const day = chinaDay(clock.now());
    expect((await ledger.usage({ from: day, to: day })).totals.billed).toBe(2);
    await ledger.close();
  });

  it('refuses a call it cannot record while the server keeps connections out, and records again when it is back', async () => {
    const clock = testClock();
    const ledger = ledgerOn(
      await postgresLedgerSql({ url: db.url, connectTimeoutMs: 1_000 }),
      clock,
    );
    await ledger.start();
    await db.takeDown();

    expect(await rejectionOf(ledger.sent(ask(ZHANG), 30_000))).toBeInstanceOf(
      LedgerUnavailableError,
    );

    expect(ledger.storeAvailable()).toBe(false);

    await db.bringBack();
    // A probe finds it back on its own, without a call having to fail first.
    expect(await soon(() => ledger.storeAvailable())).toBe(true);
    const id = await ledger.sent(ask(ZHANG), 30_000);
    await ledger.completed(id, answered(clock));
    const rows = await db.query(`SELECT id FROM ${LEDGER_TABLE}`);
    expect(rows).toEqual([{ id }]);
    await ledger.close();
  });

  it('counts refusals while the server is away and adds them, none lost, when it is back', async () => {
    const clock = testClock();
    const ledger = ledgerOn(
      await postgresLedgerSql({ url: db.url, connectTimeoutMs: 1_000 }),
      clock,
    );
    await ledger.start();
    ledger.rejected('tenant-a');
    await db.takeDown();
    ledger.rejected('tenant-a');
    ledger.rejected('tenant-b');
    // A flush interval or two fail meanwhile.
    await new Promise((r) => setTimeout(r, 2_500));
    ledger.rejected('tenant-a');
    await db.bringBack();
    const stored = async () =>
      (
        await db.query<{ caller: string; rejected: string }>(
          `SELECT caller, rejected FROM ${LEDGER_REJECTIONS_TABLE} ORDER BY caller`,
        )
      ).map((r) => [r.caller, Number(r.rejected)]);
    expect(
      await soon(
        async () =>
          JSON.stringify(await stored()) === '[["tenant-a",3],["tenant-b",1]]',
      ),
    ).toBe(true);
    await ledger.close();
  });

  it('away from the start (never migrated): refuses, and the probe migrates it and takes writes once it is up', async () => {
    const clock = testClock();
    await db.takeDown();
    const ledger = ledgerOn(
      await postgresLedgerSql({ url: db.url, connectTimeoutMs: 1_000 }),
      clock,
    );
    await ledger.start();
    expect(await rejectionOf(ledger.sent(ask(ZHANG), 30_000))).toBeInstanceOf(
      LedgerUnavailableError,
    );

    await db.bringBack();
    expect(await soon(() => ledger.storeAvailable())).toBe(true);
    const id = await ledger.sent(ask(ZHANG), 30_000);
    expect(await db.query(`SELECT id FROM ${LEDGER_TABLE}`)).toEqual([{ id }]);
    await ledger.close();
  });

  it('stalled (a lock held on its table): the first call waits out the statement timeout, the next are refused at once, and it comes back when the stall ends', async () => {
    const clock = testClock();
    const store = counted(
      await postgresLedgerSql({ url: db.url, statementTimeoutMs: 300 }),
    );
    const ledger = ledgerOn(store.sql, clock);
    await ledger.start();
    const stall = await db.holdTableLock(LEDGER_TABLE);

    expect(await rejectionOf(ledger.sent(ask(ZHANG), 30_000))).toBeInstanceOf(
      LedgerUnavailableError,
    );
    const reached = store.writes();
    for (let i = 0; i < 5; i++) {
      expect(await rejectionOf(ledger.sent(ask(LI), 30_000))).toBeInstanceOf(
        LedgerUnavailableError,
      );
      await ledger.answeredFree(ask(LI), 'cache', answered(clock));
    }
    // None of them went to the stalled store to wait out its timeout.
    expect(store.writes()).toBe(reached);
    // The free rows, and the refused call's "not sent" completion.
    expect(ledger.backlog()).toBe(6);

    await stall.release();
    expect(await soon(() => ledger.storeAvailable())).toBe(true);
    expect(await soon(() => ledger.backlog() === 0)).toBe(true);
    const rows = await db.query<{ answered_by: string }>(
      `SELECT answered_by FROM ${LEDGER_TABLE}`,
    );
    expect(rows.map((r) => r.answered_by)).toEqual(Array(5).fill('cache'));
    await ledger.close();
  });

  it('a refused call whose "sent" row landed all the same (its answer lost) is completed as not sent, never counted as may have billed', async () => {
    const clock = testClock();
    const store = counted(await postgresLedgerSql({ url: db.url }));
    const ledger = ledgerOn(store.sql, clock);
    await ledger.start();
    store.loseNextInsertAck();

    expect(await rejectionOf(ledger.sent(ask(ZHANG), 30_000))).toBeInstanceOf(
      LedgerUnavailableError,
    );
    expect(await soon(() => ledger.backlog() === 0)).toBe(true);
    clock.advance(60_000);
    const day = chinaDay(clock.now());
    const { totals } = await ledger.usage({ from: day, to: day });
    expect(totals).toMatchObject({ upstreamCalls: 0, mayHaveBilled: 0 });
    const rows = await db.query<{ error_code: string; billed: boolean }>(
      `SELECT error_code, billed FROM ${LEDGER_TABLE}`,
    );
    expect(rows).toEqual([{ error_code: 'ledger_unavailable', billed: false }]);
    await ledger.close();
  });

  it('spools to the disk while the server is away, then replays every row, none lost and none twice', async () => {
    const clock = testClock();
    const ledger = ledgerOn(
      await postgresLedgerSql({ url: db.url, connectTimeoutMs: 1_000 }),
      clock,
      { whenStoreDown: 'spool', spoolDir },
    );
    await ledger.start();
    await ledger.completed(await ledger.sent(ask(LI), 30_000), answered(clock));
    await db.takeDown();

    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const id = await ledger.sent(ask(ZHANG), 30_000);
      ids.push(id);
      await ledger.completed(id, answered(clock, { traceId: `t-${i}` }));
    }
    await ledger.answeredFree(
      ask(ZHANG),
      'cache',
      answered(clock, { billed: false }),
    );
    expect(ledger.backlog()).toBe(7);
    // On the disk, not in memory: a restart would replay them.
    const spooled = readdirSync(spoolDir)
      .filter((f) => f.endsWith('.jsonl'))
      .flatMap((f) =>
        readFileSync(join(spoolDir, f), 'utf8').split('\n').filter(Boolean),
      );
    expect(spooled).toHaveLength(7);

    await db.bringBack();
    await ledger.flush();

    expect(ledger.backlog()).toBe(0);
    const rows = await db.query<{ trace_id: string; answered_by: string }>(
      `SELECT trace_id, answered_by FROM ${LEDGER_TABLE}`,
    );
    expect(
      rows.map((r) => `${r.answered_by} ${r.trace_id}`).toSorted(),
    ).toEqual([
      'cache trace-1',
      'upstream t-0',
      'upstream t-1',
      'upstream t-2',
      'upstream trace-1',
    ]);
    await ledger.flush();
    expect(await db.query(`SELECT id FROM ${LEDGER_TABLE}`)).toHaveLength(5);
    await ledger.close();
  });

  it('replays a spool left by a replica that stopped while the server was away', async () => {
    const clock = testClock();
    const first = ledgerOn(
      await postgresLedgerSql({ url: db.url, connectTimeoutMs: 1_000 }),
      clock,
      { whenStoreDown: 'spool', spoolDir },
    );
    await first.start();
    await db.takeDown();
    await first.sent(ask(ZHANG), 30_000);
    await first.close();
    await db.bringBack();

    const second = ledgerOn(await postgresLedgerSql({ url: db.url }), clock, {
      whenStoreDown: 'spool',
      spoolDir,
    });
    await second.start();

    expect(second.backlog()).toBe(0);
    expect(await db.query(`SELECT id FROM ${LEDGER_TABLE}`)).toHaveLength(1);
    await second.close();
  });
  it('a full in-memory backlog drops free answers loudly and counted, never a completion of a call that left', async () => {
    const clock = testClock();
    const sql = await postgresLedgerSql({
      url: db.url,
      connectTimeoutMs: 1_000,
    });
    const resolved = resolveLedger({ store: { sql }, secret: SECRET }, 30_000);
    if (!resolved) throw new Error('no ledger');
    const ledger = new UsageLedger(
      sql,
      { ...resolved, maxWaitingInMemory: 3 },
      clock,
    );
    await ledger.start();
    const left = await ledger.sent(ask(LI), 30_000);
    await db.takeDown();

    for (let i = 0; i < 5; i++) {
      await ledger.answeredFree(ask(ZHANG), 'cache', answered(clock));
    }
    await ledger.completed(left, answered(clock, { traceId: 'kept' }));

    expect(ledger.unrecorded()).toEqual({ setAside: 0, freeAnswersDropped: 2 });
    expect(ledger.backlog()).toBe(4);
    await db.bringBack();
    await ledger.flush();
    const rows = await db.query<{ trace_id: string | null }>(
      `SELECT trace_id FROM ${LEDGER_TABLE} WHERE answered_by = 'upstream'`,
    );
    expect(rows).toEqual([{ trace_id: 'kept' }]);
    await ledger.close();
  });

  it("a tool (openUsageLedger) never replays or locks an app's spool, even given the app's spool options", async () => {
    // A spool the app left: one "sent" row waiting for the store.
    const app = ledgerOn(
      await postgresLedgerSql({ url: db.url, connectTimeoutMs: 1_000 }),
      testClock(),
      { whenStoreDown: 'spool', spoolDir },
    );
    await app.start();
    await db.takeDown();
    await app.sent(ask(ZHANG), 30_000);
    await app.close();
    await db.bringBack();
    const before = readdirSync(spoolDir).toSorted();

    const tool = await openUsageLedger({
      store: { postgres: { url: db.url } },
      secret: SECRET,
      whenStoreDown: 'spool',
      spoolDir,
    });
    await tool.flush();

    expect(tool.backlog()).toBe(0);
    expect(await db.query(`SELECT id FROM ${LEDGER_TABLE}`)).toEqual([]);
    expect(readdirSync(spoolDir).toSorted()).toEqual(before);
    await tool.close();
  });

  it('a full disk: every spooled record is whole or the call is refused; none torn, none glued, none lost', async () => {
    const disk = mountSmallDisk(64);
    try {
      const clock = testClock();
      const dir = join(disk.dir, 'spool');
      const ledger = ledgerOn(
        await postgresLedgerSql({ url: db.url, connectTimeoutMs: 1_000 }),
        clock,
        { whenStoreDown: 'spool', spoolDir: dir },
      );
      await ledger.start();
      // Most of the disk taken by something else, freed later.
      const filler = join(disk.dir, 'filler');
      writeFileSync(filler, Buffer.alloc(40 * 1024));
      await db.takeDown();

      const left: string[] = [];
      const refusals: unknown[] = [];
      const call = async (i: number) => {
        const id = await ledger
          .sent(ask(i % 2 ? ZHANG : LI), 30_000)
          .catch((error: unknown) => {
            refusals.push(error);
            return undefined;
          });
        if (id === undefined) return;
        left.push(id);
        await ledger.completed(id, answered(clock, { traceId: `t-${i}` }));
      };
      for (let i = 0; i < 500 && refusals.length < 3; i++) await call(i);
      expect(refusals).toHaveLength(3);
      expect(refusals.every((e) => e instanceof LedgerUnavailableError)).toBe(
        true,
      );
      unlinkSync(filler);
      for (let i = 1000; i < 1020; i++) await call(i);

      await db.bringBack();
      await ledger.flush();
      expect(ledger.backlog()).toBe(0);
      const rows = await db.query<{ id: string; billed: boolean | null }>(
        `SELECT id, billed FROM ${LEDGER_TABLE}`,
      );
      // Every call that left is on record, completed as billed.
      expect(rows.map((r) => r.id).toSorted()).toEqual(left.toSorted());
      expect(rows.every((r) => r.billed === true)).toBe(true);
      expect(left.length).toBeGreaterThan(20);
      await ledger.close();
    } finally {
      disk.unmount();
    }
  });
});

describe('one process per folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const lockFile = () => join(dir, 'phone-verification-ledger.lock');

  it("a spool folder is one replica's: a second is refused, naming the first, until the first lets go", () => {
    const first = new LedgerSpool(dir);
    const second = (() => {
      try {
        return new LedgerSpool(dir);
      } catch (error) {
        return error;
      }
    })();
    expect(second).toBeInstanceOf(LedgerSpoolInUseError);
    expect((second as Error).message).toContain(`process ${process.pid}`);
    first.close();
    new LedgerSpool(dir).close();
  });

  it('takes over a lock whose pid now belongs to another process (a container restarted as PID 1)', () => {
    // This very process's pid, but another process's start: the pid was reused.
    writeFileSync(
      lockFile(),
      JSON.stringify({
        pid: process.pid,
        host: hostname(),
        start: '1',
        pidns: readlinkSync('/proc/self/ns/pid'),
      }),
    );
    const release = lockEmbeddedStore(dir);
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toMatchObject({
      pid: process.pid,
    });
    release();
  });

  it('takes over a lock from another PID namespace (a container restarted) once its heartbeat has stopped', () => {
    writeFileSync(
      lockFile(),
      JSON.stringify({ pid: 1, host: hostname(), pidns: 'pid:[1]' }),
    );
    const past = new Date(Date.now() - 30_000);
    utimesSync(lockFile(), past, past);
    const release = lockEmbeddedStore(dir);
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toMatchObject({
      pid: process.pid,
    });
    release();
  });

  it('takes over an empty lock file left by a crash, but not one being written right now', () => {
    writeFileSync(lockFile(), '');
    expect(() => lockEmbeddedStore(dir)).toThrow(EmbeddedLedgerInUseError);
    const past = new Date(Date.now() - 10_000);
    utimesSync(lockFile(), past, past);
    lockEmbeddedStore(dir)();
  });

  it('refuses a lock from another host and says how to clear it', () => {
    writeFileSync(
      lockFile(),
      JSON.stringify({ pid: 1, host: 'another-host', start: '5' }),
    );
    expect(() => lockEmbeddedStore(dir)).toThrow(
      /process 1 on host another-host .*delete .*phone-verification-ledger\.lock/,
    );
  });
});
