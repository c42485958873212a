/**
 * The embedded store's upkeep, part of its worker thread's code (CommonJS,
 * evaluated with pglite-worker.source.ts): the work autovacuum would do,
 * which PGlite (PostgreSQL alone, in single-user mode) never runs.
 *
 * Without a VACUUM, each completion's earlier row version stays dead in the
 * table and its indexes for ever, the planner never learns the table's size,
 * and transaction ids are never frozen. The thread vacuums the database when
 * autovacuum would (rows changed since the last: 50 and a fifth of the rows;
 * unknown at open, so due), at a quiet moment (no statement for `quietMs`),
 * or at once, busy or not, when the last vacuum is `overdueMs` old. A
 * statement that comes meanwhile waits for it, as for any other.
 *
 * PostgreSQL also stops taking writes about 2^31 transactions after the
 * oldest unfrozen one in any database of the folder, and a VACUUM reaches
 * only its own. So once template0 or template1 is as old as autovacuum
 * allows (`freezeAge`, else `autovacuum_freeze_max_age`), the store is
 * closed, each of them opened on its own and frozen, and the store opened
 * again (about a second; once in hundreds of millions of transactions):
 * statements wait for it, a transaction already open finishes first. One
 * that fails is tried again after `overdueMs`, not at every vacuum.
 *
 * Nor does PGlite checkpoint (no checkpointer runs in single-user mode): its
 * write-ahead log would grow, about 1.7 KB a verification, until the store
 * closes, and a store killed meanwhile would replay it all when next opened.
 * So once a second while statements come the thread looks at the log
 * written since the last checkpoint, and past `checkpointWalBytes` (unset:
 * 64 MiB) runs a CHECKPOINT: tens of milliseconds, statements waiting. One
 * that fails (a full disk) is tried again a minute later.
 */
export const PGLITE_UPKEEP_SOURCE = `
function upkeepOf(store, PGlite, dataDir, { quietMs, overdueMs, freezeAge, checkpointWalBytes = 64 * 2 ** 20 }, report) {
  let changed = Infinity;
  let tuples = 0;
  let lastVacuum = Date.now();
  let quiet;
  let vacuuming;
  let closing = false;
  // While the other databases are frozen, the store is closed.
  let reopened;
  let freezeAgainAt = 0;
  // When to look at the log next: a second on, a minute after a failure.
  let walLookAt = Date.now() + 1000;
  let checkpointing;
  const later = (ms) => new Promise((done) => setTimeout(done, ms));
  // PostgreSQL's own words, bounded: no statement here carries a value.
  const said = (error) => String((error && error.message) || error).slice(0, 300);
  async function olderOthers() {
    if (dataDir.includes('://')) return [];
    const { rows } = await store.db().query(
      "SELECT datname, age(datfrozenxid)::float8 AS age, current_setting('autovacuum_freeze_max_age')::float8 AS max FROM pg_database WHERE datname <> current_database()",
    );
    return rows.filter((r) => r.age >= (freezeAge ?? r.max)).map((r) => r.datname).sort();
  }
  async function freezeOthersWhenOld() {
    // After a failure, not before overdueMs: each try closes the store.
    if (Date.now() < freezeAgainAt) return;
    const old = await olderOthers().catch(() => []);
    // A store being closed is frozen at its next open instead.
    if (old.length === 0 || closing) return;
    let reopen;
    reopened = new Promise((done) => (reopen = done));
    let started;
    let failed;
    try {
      // What already runs finishes first (a transaction held open too).
      while (!store.idle()) await later(10);
      started = Date.now();
      await store.db().close();
      for (const database of old) {
        const other = await PGlite.create(dataDir, { database });
        try {
          await other.exec('VACUUM FREEZE');
        } finally {
          await other.close();
        }
      }
    } catch (error) {
      failed = error;
      freezeAgainAt = Date.now() + overdueMs;
    } finally {
      // The store must come back; a thread that cannot open it ends, and
      // the app's next call starts another.
      await store.reopen().catch(() => process.exit(1));
      reopened = undefined;
      reopen();
    }
    report(failed === undefined
      ? { kind: 'froze', databases: old, ms: Date.now() - started }
      : { kind: 'freeze_failed', databases: old, error: said(failed) });
  }
  function vacuum() {
    // Not inside a transaction a caller holds open: after it, then.
    if (store.inTransaction()) return;
    const before = changed;
    changed = 0;
    vacuuming = (async () => {
      try {
        const started = Date.now();
        await store.db().exec('VACUUM');
        const ms = Date.now() - started;
        const { rows } = await store.db().query(
          "SELECT coalesce(sum(greatest(reltuples, 0)), 0)::float8 AS n FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace",
        );
        tuples = rows[0].n;
        report({ kind: 'vacuumed', ms, rows: tuples });
      } catch (error) {
        // Tried again when next due; the ledger's work goes on meanwhile.
        changed += before;
        report({ kind: 'vacuum_failed', error: said(error) });
      }
      await freezeOthersWhenOld();
    })().finally(() => {
      vacuuming = undefined;
      lastVacuum = Date.now();
    });
  }
  async function checkpointWhenDue() {
    try {
      const { rows } = await store.db().query(
        'SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), redo_lsn)::float8 AS wal FROM pg_control_checkpoint()',
      );
      if (rows[0].wal < checkpointWalBytes) return;
      const started = Date.now();
      await store.db().exec('CHECKPOINT');
      report({ kind: 'checkpointed', ms: Date.now() - started, walMb: Math.round(rows[0].wal / 2 ** 20) });
    } catch (error) {
      walLookAt = Date.now() + 60_000;
      report({ kind: 'checkpoint_failed', error: said(error) });
    }
  }
  /** Whether other upkeep runs (or the store is closed): one thing at a time. */
  const held = () => closing || vacuuming || checkpointing || reopened || store.inTransaction();
  const upkeep = {
    freezeOthersWhenOld,
    /** A statement came: not a quiet moment. */
    working: () => clearTimeout(quiet),
    closing: () => (closing = true),
    changed: (rows) => (changed += rows || 0),
    /** Runs the work once the store is open: at once, but while the others are frozen. */
    whenOpen: (work) => (reopened ? reopened.then(work) : work()),
    /** Runs the work, after the upkeep under way if told to wait (a close). */
    afterUpkeep(wait, work) {
      const running = vacuuming || checkpointing;
      return wait && running ? running.then(work) : work();
    },
    /** After each statement: a checkpoint, a vacuum now, at the next quiet moment, or none. */
    whenDue() {
      clearTimeout(quiet);
      if (!held() && Date.now() >= walLookAt) {
        walLookAt = Date.now() + 1000;
        checkpointing = checkpointWhenDue().finally(() => {
          checkpointing = undefined;
          upkeep.whenDue();
        });
      }
      if (held() || changed < 50 + tuples / 5) return;
      if (Date.now() - lastVacuum >= overdueMs) vacuum();
      else if (store.idle()) quiet = setTimeout(vacuum, quietMs);
    },
  };
  return upkeep;
}
`;
