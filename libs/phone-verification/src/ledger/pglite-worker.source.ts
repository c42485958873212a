import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PGLITE_UPKEEP_SOURCE } from './pglite-upkeep.source.js';

/**
 * The worker thread's code (CommonJS, evaluated: a package built twice, as
 * ESM and CommonJS, has no one file path to give a worker). It opens PGlite
 * on the folder and runs what the main thread sends: a statement, on its own
 * or in a transaction it holds open until told to commit or roll back.
 * PGlite's own lock keeps a statement outside a transaction waiting for it.
 * A named statement is parsed once, then kept prepared under its name
 * (PGlite's query() parses every time): sent as protocol messages, under
 * both of PGlite's locks. It also does autovacuum's work, which PGlite
 * (PostgreSQL alone, in single-user mode) never runs (pglite-upkeep.source.ts).
 */
export const PGLITE_WORKER_SOURCE = `${PGLITE_UPKEEP_SOURCE}
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
// A prepared statement is planned each time it runs (parsing is what it
// saves): a generic plan made while the table was small (PGlite never
// analyzes it) would scan the whole table for ever.
let db;
async function openStore() {
  if (db && !db.closed) return;
  db = await PGlite.create(workerData.dataDir);
  await db.exec('SET plan_cache_mode = force_custom_plan');
  prepared.clear();
}
let busy = 0;
const upkeep = upkeepOf({
  db: () => db,
  idle: () => busy === 0 && open.size === 0,
  inTransaction: () => open.size > 0,
  reopen: openStore,
}, PGlite, workerData.dataDir, workerData.upkeep, (upkeep) =>
  parentPort.postMessage({ id: -1, upkeep }));
function go(m) {
  busy += 1;
  upkeep.working();
  upkeep.afterUpkeep(m.op === 'close', () => run(db, m)).then(
    (result) => {
      parentPort.postMessage({ id: m.id, result });
      upkeep.changed(result && result.affected);
    },
    (error) => parentPort.postMessage({ id: m.id, error: failure(error) }),
  ).finally(() => {
    busy -= 1;
    upkeep.whenDue();
  });
}
(async () => {
  await openStore();
  await upkeep.freezeOthersWhenOld();
})().then(
  () => {
    parentPort.on('message', (m) => {
      upkeep.working();
      if (m.op === 'close') upkeep.closing();
      // A statement of a transaction already open never waits for a reopening.
      if (m.tx === undefined) upkeep.whenOpen(() => go(m));
      else go(m);
    });
    upkeep.whenDue();
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
