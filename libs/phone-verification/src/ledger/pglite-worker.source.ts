import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * The worker thread's code (CommonJS, evaluated: a package built twice, as
 * ESM and CommonJS, has no one file path to give a worker). It opens PGlite
 * on the folder and runs what the main thread sends: a statement, on its own
 * or in a transaction it holds open until told to commit or roll back.
 * PGlite's own lock keeps a statement outside a transaction waiting for it.
 * A named statement is parsed once, then kept prepared under its name
 * (PGlite's query() parses every time): sent as protocol messages, under
 * both of PGlite's locks. It also does autovacuum's work, which PGlite
 * (PostgreSQL alone, in single-user mode) never runs: see \`vacuumWhenDue\`.
 */
export const PGLITE_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite, protocol } = require(workerData.entry);
const open = new Map();
let lastTx = 0;
const prepared = new Set();
const text = (v) =>
  v === null || v === undefined ? null
    : v instanceof Date ? v.toISOString()
    : typeof v === 'boolean' ? (v ? 't' : 'f')
    : typeof v === 'object' ? JSON.stringify(v)
    : String(v);
const concat = (parts) => Buffer.concat(parts.map((p) => Buffer.from(p)));
// What the prepared path needs of PGlite beyond query(); without it (another
// version), a named statement runs as an unnamed one.
const canPrepare = (db) =>
  typeof db._runExclusiveTransaction === 'function' &&
  typeof db.runExclusive === 'function' &&
  typeof db.execProtocol === 'function' &&
  Boolean(protocol && protocol.serialize);
async function named(db, m) {
  const run = async () => {
    const send = (parts) => db.execProtocol(concat(parts), { syncToFs: false });
    if (!prepared.has(m.name)) {
      await send([protocol.serialize.parse({ name: m.name, text: m.text, types: [] }), protocol.serialize.sync()]);
      prepared.add(m.name);
    }
    const { messages } = await send([
      protocol.serialize.bind({ statement: m.name, values: m.params.map(text) }),
      protocol.serialize.describe({ type: 'P' }),
      protocol.serialize.execute({}),
      protocol.serialize.sync(),
    ]);
    let fields = [];
    const rows = [];
    let affected = 0;
    for (const message of messages) {
      if (message.name === 'rowDescription') fields = message.fields;
      else if (message.name === 'dataRow') {
        const row = {};
        message.fields.forEach((value, i) => {
          const { name, dataTypeID } = fields[i];
          const parse = db.parsers[dataTypeID];
          row[name] = value === null || !parse ? value : parse(value, dataTypeID);
        });
        rows.push(row);
      } else if (message.name === 'commandComplete') {
        // Rows changed, as PGlite counts them: none for a SELECT.
        const done = /^(INSERT|UPDATE|DELETE|MERGE|COPY) (?:.* )?([0-9]+)$/.exec(message.text);
        if (done) affected += Number(done[2]);
      }
    }
    return { rows, affected };
  };
  // Both locks, as PGlite's query() takes them: never inside a transaction
  // another message holds open.
  return db._runExclusiveTransaction(() => db.runExclusive(run));
}
const failure = (error) => ({
  message: String((error && error.message) || error),
  code: error && typeof error.code === 'string' ? error.code : undefined,
});
const answer = (r) => ({ rows: r.rows, affected: r.affectedRows || 0 });
async function run(db, m) {
  if (m.op === 'query') {
    if (m.name !== undefined && m.tx === undefined && canPrepare(db)) return named(db, m);
    const on = m.tx === undefined ? db : open.get(m.tx).handle;
    return answer(await on.query(m.text, m.params));
  }
  if (m.op === 'begin') {
    const tx = ++lastTx;
    return new Promise((began, failed) => {
      const settled = db.transaction((handle) => new Promise((commit, rollBack) => {
        open.set(tx, { handle, commit, rollBack, settled });
        began(tx);
      }));
      settled.catch(failed);
    });
  }
  if (m.op === 'end') {
    const t = open.get(m.tx);
    open.delete(m.tx);
    if (m.commit) t.commit(); else t.rollBack(new Error('rolled back'));
    await t.settled.catch((error) => { if (m.commit) throw error; });
    return undefined;
  }
  if (m.op === 'close') return db.close();
}
// Without a VACUUM, each completion's earlier row version stays dead in the
// table and its indexes for ever, the planner never learns the table's size,
// and transaction ids are never frozen. The thread vacuums the database when
// autovacuum would (rows changed since the last: 50 and a fifth of the rows;
// unknown at open, so due), at a quiet moment (no statement for quietMs), or
// at once, busy or not, when the last vacuum is overdueMs old. A statement
// that comes meanwhile waits for it, as for any other.
const { quietMs, overdueMs } = workerData.upkeep;
let changed = Infinity;
let tuples = 0;
let lastVacuum = Date.now();
let busy = 0;
let quiet;
let vacuuming;
let closing = false;
function vacuumWhenDue(db) {
  clearTimeout(quiet);
  if (closing || vacuuming || changed < 50 + tuples / 5) return;
  if (Date.now() - lastVacuum >= overdueMs) vacuum(db);
  else if (busy === 0) quiet = setTimeout(() => vacuum(db), quietMs);
}
function vacuum(db) {
  // Not inside a transaction a caller holds open: after it, then.
  if (open.size > 0) return;
  const before = changed;
  changed = 0;
  vacuuming = (async () => {
    try {
      await db.exec('VACUUM');
      const { rows } = await db.query(
        "SELECT coalesce(sum(greatest(reltuples, 0)), 0)::float8 AS n FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace",
      );
      tuples = rows[0].n;
    } catch {
      // Tried again when next due; the ledger's work goes on meanwhile.
      changed += before;
    }
  })().finally(() => {
    vacuuming = undefined;
    lastVacuum = Date.now();
  });
}
// A prepared statement is planned each time it runs (parsing is what it
// saves): a generic plan made while the table was small (PGlite never
// analyzes it) would scan the whole table for ever.
PGlite.create(workerData.dataDir).then(async (db) => {
  await db.exec('SET plan_cache_mode = force_custom_plan');
  return db;
}).then(
  (db) => {
    parentPort.on('message', (m) => {
      busy += 1;
      clearTimeout(quiet);
      if (m.op === 'close') closing = true;
      const ran = m.op === 'close' && vacuuming
        ? vacuuming.then(() => run(db, m))
        : run(db, m);
      ran.then(
        (result) => {
          parentPort.postMessage({ id: m.id, result });
          if (result && result.affected) changed += result.affected;
        },
        (error) => parentPort.postMessage({ id: m.id, error: failure(error) }),
      ).finally(() => {
        busy -= 1;
        vacuumWhenDue(db);
      });
    });
    vacuumWhenDue(db);
    parentPort.postMessage({ id: 0, result: 'ready' });
  },
  (error) => parentPort.postMessage({ id: 0, error: failure(error) }),
);
`;

/** Where the app's PGlite is: resolved from its main script, else its working folder. */
export function pgliteEntry(): string {
  const bases = [process.argv[1], join(process.cwd(), 'index.js')];
  for (const base of bases) {
    if (!base) continue;
    try {
      return createRequire(base).resolve('@electric-sql/pglite');
    } catch {
      // Not from there: the next.
    }
  }
  throw new Error(
    'The embedded ledger needs @electric-sql/pglite: npm install @electric-sql/pglite',
  );
}
