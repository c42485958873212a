import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * The worker thread's code (CommonJS, evaluated: a package built twice, as
 * ESM and CommonJS, has no one file path to give a worker). It opens PGlite
 * on the folder and runs what the main thread sends: a statement, on its own
 * or in a transaction it holds open until told to commit or roll back.
 * PGlite's own lock keeps a statement outside a transaction waiting for it.
 */
export const PGLITE_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.entry);
const open = new Map();
let lastTx = 0;
const failure = (error) => ({
  message: String((error && error.message) || error),
  code: error && typeof error.code === 'string' ? error.code : undefined,
});
const answer = (r) => ({ rows: r.rows, affected: r.affectedRows || 0 });
async function run(db, m) {
  if (m.op === 'query') {
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
PGlite.create(workerData.dataDir).then(
  (db) => {
    parentPort.on('message', (m) => {
      run(db, m).then(
        (result) => parentPort.postMessage({ id: m.id, result }),
        (error) => parentPort.postMessage({ id: m.id, error: failure(error) }),
      );
    });
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
