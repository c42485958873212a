import { mkdirSync } from 'node:fs';
import { lockEmbeddedStore } from './embedded-store-lock.js';
import type { LedgerSql } from './ledger-sql.js';

/** What the adapter uses of PGlite (an optional peer, loaded only for an embedded ledger). */
interface PGliteDb {
  query<Row>(
    text: string,
    params?: unknown[],
  ): Promise<{ rows: Row[]; affectedRows?: number }>;
  transaction<T>(
    work: (tx: {
      query<Row>(
        text: string,
        params?: unknown[],
      ): Promise<{ rows: Row[]; affectedRows?: number }>;
    }) => Promise<T>,
  ): Promise<T>;
  close(): Promise<void>;
}

/** The release of an in-memory store: it has no folder to lock. */
const NOTHING_TO_RELEASE = (): void => undefined;

/** Where the embedded ledger keeps its data. */
export interface PgliteLedgerOptions {
  /** A folder (created if missing); `memory://` keeps nothing. */
  readonly dataDir: string;
}

/**
 * A {@link LedgerSql} on PGlite: PostgreSQL compiled to WebAssembly, running
 * in this process, kept in a folder. One connection, so one process (a lock
 * file in the folder refuses a second, naming the first): for one machine;
 * several replicas share a PostgreSQL server instead.
 */
export async function pgliteLedgerSql(
  options: PgliteLedgerOptions,
): Promise<LedgerSql> {
  const { PGlite } = (await import('@electric-sql/pglite')) as unknown as {
    PGlite: { create(dataDir: string): Promise<PGliteDb> };
  };
  let unlock = NOTHING_TO_RELEASE;
  if (!options.dataDir.includes('://')) {
    mkdirSync(options.dataDir, { recursive: true });
    unlock = lockEmbeddedStore(options.dataDir);
  }
  let db: PGliteDb;
  try {
    db = await PGlite.create(options.dataDir);
  } catch (error) {
    unlock();
    // PGlite may reject with something that is not an Error.
    throw error instanceof Error
      ? error
      : new Error(`PGlite could not open ${options.dataDir}: ${String(error)}`);
  }
  return {
    async query<Row extends object>(text: string, params?: readonly unknown[]) {
      const result = await db.query<Row>(text, params ? [...params] : []);
      return { rows: result.rows, affected: result.affectedRows ?? 0 };
    },
    transaction: (work) =>
      db.transaction((tx) =>
        work({
          async query<Row extends object>(
            text: string,
            params?: readonly unknown[],
          ) {
            const result = await tx.query<Row>(text, params ? [...params] : []);
            return { rows: result.rows, affected: result.affectedRows ?? 0 };
          },
        }),
      ),
    close: async () => {
      try {
        await db.close();
      } finally {
        unlock();
      }
    },
  };
}
