import { hostname } from 'node:os';
import { wholeNumberOption } from '../option-checks.js';
import { InvalidPhoneVerificationOptionsError } from '../errors/boot.errors.js';
import type { LedgerSql } from './ledger-sql.js';
import type { PgliteLedgerOptions } from './pglite-ledger-sql.js';
import type { PostgresLedgerOptions } from './postgres-ledger-sql.js';

/**
 * The usage ledger (off unless set): every verification on record, in
 * PostgreSQL shared by every replica, or in PGlite on one machine.
 */
export interface LedgerOptions {
  /**
   * Where rows go: `{ postgres: { url } }` (the `pg` package, an optional
   * peer), `{ pglite: { dataDir } }` (`@electric-sql/pglite`, an optional
   * peer; one process), or `{ sql }`, a {@link LedgerSql} of your own.
   */
  store:
    | { postgres: PostgresLedgerOptions }
    | { pglite: PgliteLedgerOptions }
    | { sql: LedgerSql };
  /**
   * HMAC secret of the subject (≥ 32 characters): the same on every replica,
   * and kept, since `forget()` finds a person's rows through it.
   */
  secret: string;
  /**
   * When the store cannot take the "sent" row of a call: `refuse` the call
   * (the default: no billed-maybe call unrecorded), or `spool` the row to
   * `spoolDir` (flushed to the disk) and replay it when the store is back.
   */
  whenStoreDown?: 'refuse' | 'spool';
  /** With `spool`: a folder on a local disk, kept across restarts. */
  spoolDir?: string;
  /** Rows older than this many days are deleted when the module starts, every hour, and by `purge()`. Default: keep them. */
  retentionDays?: number;
  /** This replica's name in the rows. Default `<hostname>:<pid>`. */
  replica?: string;
}

/** The ledger's options after validation. */
export interface ResolvedLedgerOptions {
  readonly store: LedgerOptions['store'];
  readonly secret: string;
  readonly whenStoreDown: 'refuse' | 'spool';
  readonly spoolDir: string;
  readonly retentionDays?: number;
  readonly replica: string;
  /** How long a call may last, every attempt included: a row still "sent" past it may have been billed. */
  readonly callDeadlineMs: number;
  /** How often writes waiting for the store are retried. */
  readonly flushIntervalMs: number;
  /** How often rows past the retention are deleted. */
  readonly purgeIntervalMs: number;
  /** Writes kept in memory for the store (no spool, or a full disk): past it, calls are refused and free answers go unrecorded, loudly. */
  readonly maxWaitingInMemory: number;
}

/** Validates `ledger`; `false` when none is set. */
export function resolveLedger(
  ledger: LedgerOptions | undefined,
  callDeadlineMs: number,
): ResolvedLedgerOptions | false {
  if (ledger === undefined) return false;
  const store = ledger.store as Record<string, unknown> | undefined;
  if (
    typeof store !== 'object' ||
    store === null ||
    Object.keys(store).length !== 1 ||
    !['postgres', 'pglite', 'sql'].includes(Object.keys(store)[0])
  ) {
    throw new InvalidPhoneVerificationOptionsError(
      'ledger.store',
      'must be one of { postgres: { url } }, { pglite: { dataDir } } or { sql }',
    );
  }
  if (typeof ledger.secret !== 'string' || ledger.secret.length < 32) {
    throw new InvalidPhoneVerificationOptionsError(
      'ledger.secret',
      'must be a string of at least 32 characters',
    );
  }
  const whenStoreDown = ledger.whenStoreDown ?? 'refuse';
  if (whenStoreDown !== 'refuse' && whenStoreDown !== 'spool') {
    throw new InvalidPhoneVerificationOptionsError(
      'ledger.whenStoreDown',
      'must be "refuse" or "spool"',
    );
  }
  if (whenStoreDown === 'spool' && !ledger.spoolDir) {
    throw new InvalidPhoneVerificationOptionsError(
      'ledger.spoolDir',
      'is required with whenStoreDown: "spool"',
    );
  }
  return {
    store: ledger.store,
    secret: ledger.secret,
    whenStoreDown,
    spoolDir: ledger.spoolDir ?? '',
    retentionDays:
      ledger.retentionDays === undefined
        ? undefined
        : wholeNumberOption(
            'ledger.retentionDays',
            ledger.retentionDays,
            1,
            36_500,
          ),
    replica: ledger.replica || `${hostname()}:${process.pid}`,
    callDeadlineMs,
    flushIntervalMs: 1_000,
    purgeIntervalMs: 3_600_000,
    maxWaitingInMemory: 10_000,
  };
}
