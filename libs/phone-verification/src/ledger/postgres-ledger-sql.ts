import type { LedgerSql, LedgerSqlTransaction } from './ledger-sql.js';

/** What the adapter uses of `pg` (an optional peer, loaded only for a PostgreSQL ledger). */
interface PgPool {
  query(
    text: string,
    params?: readonly unknown[],
  ): Promise<{ rows: object[]; rowCount: number | null }>;
  connect(): Promise<
    Pick<PgPool, 'query'> & { release(destroy?: boolean): void }
  >;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** How to reach PostgreSQL. */
export interface PostgresLedgerOptions {
  /** `postgres://user@host:5432/db` */
  readonly url: string;
  /** Connections in the pool. Default 5. */
  readonly poolSize?: number;
  /** How long a statement may take before it fails. Default 5000 ms. */
  readonly statementTimeoutMs?: number;
  /** How long to wait for a connection. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
}

/** Runs one statement on the pool or on one of its connections. */
async function run<Row extends object>(
  runner: Pick<PgPool, 'query'>,
  text: string,
  params?: readonly unknown[],
): Promise<{ rows: Row[]; affected: number }> {
  const result = await runner.query(text, params);
  return { rows: result.rows as Row[], affected: result.rowCount ?? 0 };
}

/**
 * A {@link LedgerSql} on a PostgreSQL server, through a `pg` pool. A lost
 * connection is an error of the statement that used it, never of the
 * process: the pool replaces it. It prepares nothing (it runs a statement's
 * `name` unnamed), nor sets a startup parameter, so a pooler in transaction
 * mode (PgBouncer) may stand in front of the server.
 */
export async function postgresLedgerSql(
  options: PostgresLedgerOptions,
): Promise<LedgerSql> {
  const pg = (await import('pg')) as unknown as {
    default?: { Pool: new (config: object) => PgPool };
    Pool?: new (config: object) => PgPool;
  };
  const Pool = (pg.default ?? pg).Pool as new (config: object) => PgPool;
  const pool = new Pool({
    connectionString: options.url,
    max: options.poolSize ?? 5,
    statement_timeout: options.statementTimeoutMs ?? 5_000,
    query_timeout: (options.statementTimeoutMs ?? 5_000) + 1_000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    application_name: 'phone-verification-ledger',
  });
  // An idle connection cut by the server: the pool drops it; not a crash.
  pool.on('error', () => undefined);
  return {
    query: (text, params) => run(pool, text, params),
    async transaction(work) {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const tx: LedgerSqlTransaction = {
          query: (text, params) => run(client, text, params),
        };
        const value = await work(tx);
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
