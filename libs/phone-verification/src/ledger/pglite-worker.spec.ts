import { rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { freshLedgerDir } from '../../../../test/support/ledger-template.js';
import { readUntil } from '../../../../test/support/read-until.js';
import {
  LONG_UPKEEP_MS,
  logUpkeep,
  type PgliteUpkeep,
  type UpkeepLogger,
} from './pglite-upkeep.js';
import { PgliteWorker } from './pglite-worker.js';

/** Statement work that keeps PostgreSQL busy for a while (a scan of generated rows). */
const BUSY =
  'SELECT count(*)::int AS n FROM generate_series(1, 1000000) AS g WHERE g % 7 = 3';

describe('PgliteWorker (the embedded ledger in a thread of its own)', () => {
  // One store for the suite (opening one takes seconds): a table per test.
  let db: PgliteWorker;
  beforeAll(async () => {
    db = await PgliteWorker.open('memory://');
  });
  afterAll(() => db.close());

  it('runs statements with their parameters and answers rows and counts', async () => {
    await db.query('CREATE TABLE rows (id int PRIMARY KEY, at timestamptz)');
    const at = new Date('2026-12-06T01:02:03Z');
    const inserted = await db.query(
      'INSERT INTO rows VALUES ($1, $2), ($3, $4)',
      [1, at, 2, at],
    );
    expect(inserted.affected).toBe(2);
    const { rows } = await db.query<{ id: number; at: Date }>(
      'SELECT id, at FROM rows ORDER BY id',
    );
    expect(rows).toEqual([
      { id: 1, at },
      { id: 2, at },
    ]);
  });

  it('leaves the event loop free while PostgreSQL works', async () => {
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 1);
    try {
      const { rows } = await db.query<{ n: number }>(BUSY);
      expect(rows[0].n).toBeGreaterThan(0);
    } finally {
      clearInterval(timer);
    }
    // In the app's thread the scan would hold the loop: no tick at all.
    expect(ticks).toBeGreaterThan(2);
  });

  it('commits a transaction, rolls one back when its work throws, and keeps the SQLSTATE of a refusal', async () => {
    await db.query('CREATE TABLE tx (id int PRIMARY KEY)');
    await db.transaction(async (query) => {
      await query('INSERT INTO tx VALUES (1)');
      await query('INSERT INTO tx VALUES (2)');
    });
    const refusal = await db
      .transaction(async (query) => {
        await query('INSERT INTO tx VALUES (3)');
        await query('INSERT INTO tx VALUES (1)');
      })
      .catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: '23505' });
    const { rows } = await db.query<{ id: number }>(
      'SELECT id FROM tx ORDER BY id',
    );
    expect(rows.map((r) => r.id)).toEqual([1, 2]);
  });

  it('keeps a statement outside a transaction waiting until it ends', async () => {
    await db.query('CREATE TABLE waits (id int)');
    const order: string[] = [];
    let outside: Promise<unknown> = Promise.resolve();
    await db.transaction(async (query) => {
      await query('INSERT INTO waits VALUES (1)');
      outside = db
        .query<{ n: number }>('SELECT count(*)::int AS n FROM waits')
        .then(({ rows }) => order.push(`outside saw ${rows[0].n}`));
      await query('INSERT INTO waits VALUES (2)');
      order.push('transaction done');
    });
    await outside;
    expect(order).toEqual(['transaction done', 'outside saw 2']);
  });

  it('keeps a named statement prepared: parsed once, answering as an unnamed one', async () => {
    await db.query('CREATE TABLE named (id int PRIMARY KEY, at timestamptz)');
    const at = new Date('2026-12-08T01:02:03Z');
    const insert = 'INSERT INTO named VALUES ($1, $2), ($3, $4)';
    for (const first of [1, 3, 5]) {
      const { affected } = await db.query(
        insert,
        [first, at, first + 1, null],
        { name: 'named_insert' },
      );
      expect(affected).toBe(2);
    }
    const select = 'SELECT id, at FROM named WHERE id <= $1 ORDER BY id';
    const named = await db.query(select, [2], { name: 'named_select' });
    expect(named).toEqual(await db.query(select, [2]));
    expect(named.rows).toEqual([
      { id: 1, at },
      { id: 2, at: null },
    ]);
    const { rows } = await db.query<{ name: string; statement: string }>(
      "SELECT name, statement FROM pg_prepared_statements WHERE name LIKE 'named_%' ORDER BY name",
    );
    expect(rows).toEqual([
      { name: 'named_insert', statement: insert },
      { name: 'named_select', statement: select },
    ]);
  });

  it("gives a named statement's error with its SQLSTATE, and runs it again after", async () => {
    await db.query('CREATE TABLE refused (id int PRIMARY KEY)');
    const insert = 'INSERT INTO refused VALUES ($1)';
    await db.query(insert, [1], { name: 'refused_insert' });
    const error = await db.query(insert, [1], { name: 'refused_insert' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: '23505' });
    const again = await db.query(insert, [2], { name: 'refused_insert' });
    expect(again.affected).toBe(1);
    // A statement that failed to parse is not taken for prepared.
    const unknown = 'INSERT INTO not_yet VALUES ($1)';
    await expect(
      db.query(unknown, [1], { name: 'not_yet_insert' }),
    ).rejects.toMatchObject({ code: '42P01' });
    await db.query('CREATE TABLE not_yet (id int)');
    const later = await db.query(unknown, [1], { name: 'not_yet_insert' });
    expect(later.affected).toBe(1);
  });

  it('keeps a named statement outside a transaction waiting until it ends, and out of it', async () => {
    await db.query('CREATE TABLE named_waits (id int)');
    let outside: Promise<unknown> = Promise.resolve();
    await expect(
      db.transaction(async (query) => {
        await query('INSERT INTO named_waits VALUES (1)');
        outside = db.query('INSERT INTO named_waits VALUES ($1)', [2], {
          name: 'named_waits_insert',
        });
        // Given time to slip in, it would be rolled back with the rest.
        await new Promise((r) => setTimeout(r, 50));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await outside;
    const { rows } = await db.query<{ id: number }>(
      'SELECT id FROM named_waits',
    );
    expect(rows).toEqual([{ id: 2 }]);
  });

  it('once closed, refuses calls instead of starting a thread again', async () => {
    const closing = await PgliteWorker.open('memory://');
    await closing.close();
    await expect(closing.query('SELECT 1')).rejects.toThrow(/closed/);
    expect((closing as unknown as { worker?: Worker }).worker).toBeUndefined();
  });

  it('fails what waits when its thread dies, and starts another for the next call', async () => {
    const dying = await PgliteWorker.open('memory://');
    try {
      const thread = (dying as unknown as { worker: Worker }).worker;
      const waiting = dying.query(BUSY);
      await thread.terminate();
      await expect(waiting).rejects.toThrow(/thread stopped/);
      const { rows } = await dying.query<{ one: number }>('SELECT 1 AS one');
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await dying.close();
    }
  });
});

/** How many times the table was vacuumed, as PostgreSQL counts it. */
async function vacuums(db: PgliteWorker, table: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT vacuum_count::int AS n FROM pg_stat_user_tables WHERE relname = $1',
    [table],
  );
  return rows[0]?.n ?? 0;
}

/** Fills `table` and rewrites every row once: as many dead row versions as rows. */
async function changeRows(db: PgliteWorker, table: string): Promise<void> {
  await db.query(`CREATE TABLE ${table} (id int PRIMARY KEY, v int)`);
  await db.query(
    `INSERT INTO ${table} SELECT g, 0 FROM generate_series(1, 2000) AS g`,
  );
  await db.query(`UPDATE ${table} SET v = 1`);
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** A logger that keeps what it was told, a line per call: its level, then the text. */
function recordingLogger() {
  const lines: string[] = [];
  const at =
    (level: string) =>
    (message: unknown): void => {
      lines.push(`${level} ${String(message)}`);
    };
  return {
    lines,
    debug: at('debug'),
    log: at('log'),
    warn: at('warn'),
    error: at('error'),
  };
}

/** Bytes of write-ahead log since the last checkpoint began: what recovery would replay. */
async function walSinceCheckpoint(db: PgliteWorker): Promise<number> {
  const { rows } = await db.query<{ bytes: number }>(
    'SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), redo_lsn)::float8 AS bytes FROM pg_control_checkpoint()',
  );
  return rows[0].bytes;
}

/** The ages (in transactions) of the folder's other databases, the oldest first. */
async function otherAges(db: PgliteWorker): Promise<number[]> {
  const { rows } = await db.query<{ age: number }>(
    'SELECT age(datfrozenxid)::int AS age FROM pg_database WHERE datname <> current_database() ORDER BY 1 DESC',
  );
  return rows.map((r) => r.age);
}

/**
 * Runs `work` on a store opened in a folder of its own (a copy of the
 * ledger's template, `damage`d first if asked), closed and removed after.
 */
async function inOwnFolder(
  upkeep: PgliteUpkeep,
  work: (db: PgliteWorker) => Promise<void>,
  {
    logger,
    damage,
  }: { logger?: UpkeepLogger; damage?: (dir: string) => void } = {},
): Promise<void> {
  const dir = freshLedgerDir();
  damage?.(dir);
  const db = await PgliteWorker.open(dir, upkeep, logger);
  try {
    await work(db);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Damages a store's folder: template1 (base/1) loses its PG_VERSION. */
const withoutTemplate1 = (dir: string) =>
  unlinkSync(join(dir, 'base', '1', 'PG_VERSION'));

/** `count` transactions, each an insert through one named statement. */
async function transactions(db: PgliteWorker, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    await db.query('INSERT INTO aging VALUES ($1)', [i], {
      name: 'aging_insert',
    });
  }
}

describe('PgliteWorker upkeep (PGlite runs no autovacuum)', () => {
  it('vacuums once rows have changed, at a quiet moment, never while statements keep coming', async () => {
    const db = await PgliteWorker.open('memory://', {
      quietMs: 1_000,
      overdueMs: 3_600_000,
    });
    try {
      await changeRows(db, 'kept');
      // A statement every 50 ms for over two quiet periods: never quiet.
      for (let i = 0; i < 50; i += 1) {
        expect(await vacuums(db, 'kept')).toBe(0);
        await sleep(50);
      }
      const read = () => vacuums(db, 'kept');
      expect(
        await readUntil(read, (n) => n > 0, { everyMs: 1_200, forMs: 24_000 }),
      ).toBe(1);
      // Nothing changed since: no other vacuum.
      await sleep(2_500);
      expect(await read()).toBe(1);
      const { rows } = await db.query<{ n: number }>(
        "SELECT reltuples::int AS n FROM pg_class WHERE relname = 'kept'",
      );
      expect(rows).toEqual([{ n: 2000 }]);
    } finally {
      await db.close();
    }
  }, 60_000);

  it('vacuums at once, busy or not, when the last vacuum is overdue', async () => {
    const db = await PgliteWorker.open('memory://', {
      quietMs: 3_600_000,
      overdueMs: 0,
    });
    try {
      await changeRows(db, 'overdue');
      let count = 0;
      for (let i = 0; i < 40 && count === 0; i += 1) {
        await sleep(25);
        count = await vacuums(db, 'overdue');
      }
      expect(count).toBeGreaterThanOrEqual(1);
    } finally {
      await db.close();
    }
  });

  it("freezes the folder's other databases (a VACUUM reaches only its own) once older than autovacuum allows: at a quiet moment, and at open", async () => {
    const dir = freshLedgerDir();
    const upkeep = { quietMs: 1_000, overdueMs: 3_600_000, freezeAge: 300 };
    let db = await PgliteWorker.open(dir, upkeep);
    try {
      await db.query('CREATE TABLE aging (id int)');
      await transactions(db, 400);
      expect(Math.min(...(await otherAges(db)))).toBeGreaterThanOrEqual(400);
      // template0 and template1: without them frozen, PostgreSQL stops
      // taking writes about 2^31 transactions after the oldest.
      const ages = await readUntil(
        () => otherAges(db),
        (read) => Math.max(...read) < 50,
        { everyMs: 1_200, forMs: 24_000 },
      );
      expect(ages.length).toBeGreaterThanOrEqual(2);
      expect(Math.max(...ages)).toBeLessThan(50);
      // The store goes on, its named statement too, across the reopening.
      await transactions(db, 400);
      expect(Math.min(...(await otherAges(db)))).toBeGreaterThanOrEqual(400);
      await db.close();
      db = await PgliteWorker.open(dir, { ...upkeep, quietMs: 3_600_000 });
      expect(Math.max(...(await otherAges(db)))).toBeLessThan(50);
      const { rows } = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM aging',
      );
      expect(rows).toEqual([{ n: 800 }]);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it(
    'freezes them at once when overdue while statements keep coming, a transaction open among them: none lost, none failed',
    () =>
      inOwnFolder(
        { quietMs: 3_600_000, overdueMs: 0, freezeAge: 300 },
        async (db) => {
          await db.query('CREATE TABLE aging (id int)');
          const held = db.transaction(async (query) => {
            await query('INSERT INTO aging VALUES (-1)');
            await sleep(300);
            await query('INSERT INTO aging VALUES (-2)');
          });
          await Promise.all([
            held,
            ...Array.from({ length: 4 }, () => transactions(db, 200)),
          ]);
          const { rows } = await db.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM aging',
          );
          expect(rows).toEqual([{ n: 802 }]);
          expect(Math.max(...(await otherAges(db)))).toBeLessThan(800);
        },
      ),
    60_000,
  );

  it('says what each vacuum and freeze did, and how long the writes waited', async () => {
    const logger = recordingLogger();
    const upkeep = { quietMs: 200, overdueMs: 3_600_000, freezeAge: 0 };
    await inOwnFolder(
      upkeep,
      async (db) => {
        await changeRows(db, 'told');
        await readUntil(
          () => logger.lines.length,
          (said) => said >= 3,
          { everyMs: 100, forMs: 10_000 },
        );
      },
      { logger },
    );
    expect(logger.lines).toEqual([
      expect.stringMatching(
        /^log The embedded ledger froze its template databases \(template0, template1\) in \d+ ms: its writes waited meanwhile$/,
      ),
      expect.stringMatching(
        /^debug The embedded ledger vacuumed in \d+ ms \(\d+ rows\)$/,
      ),
      expect.stringMatching(/^log The embedded ledger froze/),
    ]);
  }, 60_000);

  it('a freeze that fails (a template database damaged) leaves the store working, says so, and is not tried again before the hour', async () => {
    const logger = recordingLogger();
    const upkeep = { quietMs: 1_000, overdueMs: 3_600_000, freezeAge: 0 };
    await inOwnFolder(
      upkeep,
      async (db) => {
        await changeRows(db, 'damaged');
        await readUntil(
          () => logger.lines.length,
          (said) => said >= 2,
          { everyMs: 100, forMs: 10_000 },
        );
        // Long enough for another try to fail and say so.
        await sleep(2_500);
        const { rows } = await db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM damaged',
        );
        expect(rows).toEqual([{ n: 2000 }]);
      },
      { logger, damage: withoutTemplate1 },
    );
    expect(logger.lines).toEqual([
      expect.stringMatching(
        /^error The embedded ledger could not freeze its template databases \(template0, template1\): .+; PostgreSQL stops taking writes about 2\^31 transactions after they were last frozen; tried again in an hour$/,
      ),
      expect.stringMatching(/^debug The embedded ledger vacuumed/),
    ]);
  }, 60_000);

  it('checkpoints once its write-ahead log since the last checkpoint passes checkpointWalBytes (PGlite has no checkpointer: the log would grow until the store closes)', async () => {
    const logger = recordingLogger();
    const limit = 4 * 2 ** 20;
    await inOwnFolder(
      { quietMs: 3_600_000, overdueMs: 3_600_000, checkpointWalBytes: limit },
      async (db) => {
        await db.query('CREATE TABLE logged (id int, payload text)');
        // About 40 MB of log, in statements that keep coming for seconds.
        for (let i = 0; i < 40; i += 1) {
          await db.query(
            "INSERT INTO logged SELECT g, repeat('x', 400) FROM generate_series(1, 2000) AS g",
          );
        }
        const since = await readUntil(
          () => walSinceCheckpoint(db),
          (bytes) => bytes < limit,
          { everyMs: 300, forMs: 10_000 },
        );
        expect(since).toBeLessThan(limit);
      },
      { logger },
    );
    expect(logger.lines.length).toBeGreaterThanOrEqual(1);
    for (const line of logger.lines) {
      expect(line).toMatch(
        /^debug The embedded ledger checkpointed \d+ MB of write-ahead log in \d+ ms$/,
      );
    }
  }, 60_000);

  it('warns of a checkpoint that held the writes for over a second, and of one that failed', () => {
    const logger = recordingLogger();
    logUpkeep(logger, {
      kind: 'checkpointed',
      ms: LONG_UPKEEP_MS - 1,
      walMb: 64,
    });
    logUpkeep(logger, { kind: 'checkpointed', ms: LONG_UPKEEP_MS, walMb: 70 });
    logUpkeep(logger, { kind: 'checkpoint_failed', error: 'could not write' });
    expect(logger.lines).toEqual([
      `debug The embedded ledger checkpointed 64 MB of write-ahead log in ${LONG_UPKEEP_MS - 1} ms`,
      `warn The embedded ledger checkpointed 70 MB of write-ahead log in ${LONG_UPKEEP_MS} ms, its writes waiting meanwhile`,
      'warn The embedded ledger could not checkpoint: could not write; its write-ahead log grows until one succeeds (tried again in a minute)',
    ]);
  });

  it('warns of a vacuum that held the writes for over a second, and names the way out', () => {
    const logger = recordingLogger();
    logUpkeep(logger, { kind: 'vacuumed', ms: LONG_UPKEEP_MS - 1, rows: 10 });
    logUpkeep(logger, { kind: 'vacuumed', ms: LONG_UPKEEP_MS, rows: 4e6 });
    expect(logger.lines).toEqual([
      `debug The embedded ledger vacuumed in ${LONG_UPKEEP_MS - 1} ms (10 rows)`,
      `warn The embedded ledger vacuumed in ${LONG_UPKEEP_MS} ms (4000000 rows), its writes waiting meanwhile: a ledger this size belongs in PostgreSQL (DATABASE_URL)`,
    ]);
  });
});
