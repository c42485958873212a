/**
 * What the ledger needs of a PostgreSQL connection: the same SQL runs on a
 * PostgreSQL server (through `pg`) and on PGlite (PostgreSQL in-process), so
 * the ledger speaks plain parameterised SQL through this, and each driver
 * has a small adapter.
 */
export interface LedgerSql {
  /**
   * Runs one statement; `$1…` are `params`. With `name`, the store may keep
   * the statement prepared under it (parsed once per connection; planned
   * each time it runs, so that its plan follows the table's size); a name
   * always goes with the same text. An adapter may ignore it.
   */
  query<Row extends object = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
    name?: string,
  ): Promise<{ rows: Row[]; affected: number }>;
  /** Runs `work` in one transaction on one connection (committed, or rolled back if it throws). */
  transaction<T>(work: (sql: LedgerSqlTransaction) => Promise<T>): Promise<T>;
  /** Closes the connection(s). */
  close(): Promise<void>;
}

/** A statement runner inside {@link LedgerSql.transaction}. */
export type LedgerSqlTransaction = Pick<LedgerSql, 'query'>;
