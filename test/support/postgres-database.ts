import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The machine's PostgreSQL (trust auth), or `TEST_POSTGRES_URL`. */
const SERVER_URL =
  process.env.TEST_POSTGRES_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';

/** A database of the test's own on the machine's PostgreSQL server. */
export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  /** Keeps new connections out and cuts the open ones: the store is away. */
  takeDown(): Promise<void>;
  /** Lets connections in again. */
  bringBack(): Promise<void>;
  /** Stalls a table: a transaction holds an ACCESS EXCLUSIVE lock on it until released. */
  holdTableLock(table: string): Promise<{ release(): Promise<void> }>;
  /** Runs one statement as the server's superuser, in this database. */
  query<Row extends object>(text: string, params?: unknown[]): Promise<Row[]>;
  /** Drops it. */
  drop(): Promise<void>;
}

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database with a unique name. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `pv_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const cut = (c: Client) =>
    c.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
  return {
    url: url.toString(),
    name,
    takeDown: () =>
      admin(async (c) => {
        await c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
        await cut(c);
      }),
    bringBack: () =>
      admin(async (c) => {
        await c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      }),
    async holdTableLock(table: string) {
      const client = new Client({ connectionString: url.toString() });
      await client.connect();
      await client.query('BEGIN');
      await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
      return {
        release: async () => {
          await client.query('COMMIT');
          await client.end();
        },
      };
    },
    async query<Row extends object>(text: string, params?: unknown[]) {
      const client = new Client({ connectionString: url.toString() });
      await client.connect();
      try {
        return (await client.query(text, params)).rows as Row[];
      } finally {
        await client.end();
      }
    },
    drop: () =>
      admin(async (c) => {
        await c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
        await cut(c);
        await c.query(`DROP DATABASE IF EXISTS ${name}`);
      }),
  };
}
