import type { LedgerSql } from './ledger-sql.js';

/** The ledger's table. */
export const LEDGER_TABLE = 'phone_verification_ledger';
/** Requests refused for their input, counted per China day and caller. */
export const LEDGER_REJECTIONS_TABLE = 'phone_verification_rejections';
/** Which migrations ran, when and where. */
export const LEDGER_MIGRATIONS_TABLE = 'phone_verification_ledger_migrations';

/**
 * One lock for every replica that starts at once: a transaction-scoped
 * advisory lock, so a replica that dies mid-migration releases it.
 */
const MIGRATION_LOCK = 7_317_020_531;

/** One step of the schema. Never edit a released one: add the next. */
interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'ledger',
    statements: [
      `CREATE TABLE ${LEDGER_TABLE} (
        id uuid PRIMARY KEY,
        sent_at timestamptz NOT NULL,
        china_day date NOT NULL,
        deadline_at timestamptz NOT NULL,
        completed_at timestamptz,
        replica text NOT NULL,
        caller text,
        subject_hmac text,
        masked_phone text,
        verify_mode text NOT NULL,
        encrypted boolean NOT NULL,
        answered_by text NOT NULL,
        status text,
        result_code integer,
        billed boolean,
        may_have_billed boolean,
        error_code text,
        trace_id text,
        attempts integer NOT NULL DEFAULT 0,
        latency_ms integer
      )`,
      `CREATE INDEX ${LEDGER_TABLE}_day ON ${LEDGER_TABLE} (china_day, caller)`,
      `CREATE INDEX ${LEDGER_TABLE}_subject ON ${LEDGER_TABLE} (subject_hmac)`,
      `CREATE INDEX ${LEDGER_TABLE}_sent_at ON ${LEDGER_TABLE} (sent_at)`,
      `CREATE INDEX ${LEDGER_TABLE}_trace ON ${LEDGER_TABLE} (trace_id)`,
    ],
  },
  {
    version: 2,
    name: 'request id',
    statements: [
      // The app's own id of the request (what a caller gets when AceData
      // sent no trace id): nullable, so rows written before it stay as they are.
      `ALTER TABLE ${LEDGER_TABLE} ADD COLUMN request_id text`,
      `CREATE INDEX ${LEDGER_TABLE}_request ON ${LEDGER_TABLE} (request_id)`,
    ],
  },
  {
    version: 3,
    name: 'input rejections',
    statements: [
      // Counts only: a day, a caller ('' for none), a number. No identity.
      `CREATE TABLE ${LEDGER_REJECTIONS_TABLE} (
        china_day date NOT NULL,
        caller text NOT NULL DEFAULT '',
        rejected bigint NOT NULL,
        PRIMARY KEY (china_day, caller)
      )`,
    ],
  },
];

/** The newest schema version this build knows. */
export const LEDGER_SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/**
 * Brings the schema up to date, in one transaction under an advisory lock:
 * replicas starting together wait for each other, and each migration runs
 * once. Returns the versions this call applied (none when it was current).
 */
export async function applyLedgerMigrations(
  sql: LedgerSql,
  appliedBy: string,
): Promise<number[]> {
  return sql.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ${LEDGER_MIGRATIONS_TABLE} (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        applied_by text NOT NULL
      )`,
    );
    const { rows } = await tx.query<{ version: number }>(
      `SELECT version FROM ${LEDGER_MIGRATIONS_TABLE}`,
    );
    const done = new Set(rows.map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query(
        `INSERT INTO ${LEDGER_MIGRATIONS_TABLE} (version, name, applied_by) VALUES ($1, $2, $3)`,
        [migration.version, migration.name, appliedBy],
      );
      applied.push(migration.version);
    }
    return applied;
  });
}
