import { mkdirSync } from 'node:fs';
import { lockEmbeddedStore } from './embedded-store-lock.js';
import type { LedgerSql } from './ledger-sql.js';
import type { PgliteUpkeep } from './pglite-upkeep.js';
import { PgliteWorker } from './pglite-worker.js';

/** The release of an in-memory store: it has no folder to lock. */
const NOTHING_TO_RELEASE = (): void => undefined;

/** Where the embedded ledger keeps its data. */
export interface PgliteLedgerOptions {
  /** A folder (created if missing); `memory://` keeps nothing. */
  readonly dataDir: string;
}

/**
 * A {@link LedgerSql} on PGlite: PostgreSQL compiled to WebAssembly, running
 * in a thread of this process, kept in a folder. One connection, so one process (a lock
 * file in the folder refuses a second, naming the first): for one machine;
 * several replicas share a PostgreSQL server instead.
 */
export async function pgliteLedgerSql(
  options: PgliteLedgerOptions,
  /** When its thread vacuums (a benchmark's "never", a test's sooner). */
  upkeep?: PgliteUpkeep,
): Promise<LedgerSql> {
  let unlock = NOTHING_TO_RELEASE;
  if (!options.dataDir.includes('://')) {
    mkdirSync(options.dataDir, { recursive: true });
    unlock = lockEmbeddedStore(options.dataDir);
  }
  let db: PgliteWorker;
  try {
    db = await PgliteWorker.open(options.dataDir, upkeep);
  } catch (error) {
    unlock();
    throw new Error(
      `PGlite could not open ${options.dataDir}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return {
    query: (text, params, name) => db.query(text, params, { name }),
    transaction: (work) => db.transaction((query) => work({ query })),
    close: async () => {
      try {
        await db.close();
      } finally {
        unlock();
      }
    },
  };
}
