import type { LoggerService } from '@nestjs/common';

/**
 * When the embedded store's thread vacuums (PGlite runs no autovacuum): once
 * rows have changed as autovacuum would ask, after `quietMs` without a
 * statement, or at once when the last vacuum is `overdueMs` old. The
 * folder's other databases (template0, template1), which a VACUUM does not
 * reach, are frozen once `freezeAge` transactions old (unset: autovacuum's
 * own `autovacuum_freeze_max_age`, 200 million). It checkpoints once
 * `checkpointWalBytes` of write-ahead log are written since the last
 * checkpoint (unset: 64 MiB; PGlite runs no checkpointer). The thread's code
 * is pglite-upkeep.source.ts.
 */
export interface PgliteUpkeep {
  quietMs: number;
  overdueMs: number;
  freezeAge?: number;
  checkpointWalBytes?: number;
}

/** A second without a statement; at once, busy or not, after an hour. */
export const DEFAULT_UPKEEP: PgliteUpkeep = {
  quietMs: 1000,
  overdueMs: 3_600_000,
};

/** What the thread says of its upkeep, as it posts it. */
export type UpkeepEvent =
  | { kind: 'vacuumed'; ms: number; rows: number }
  | { kind: 'vacuum_failed'; error: string }
  | { kind: 'froze'; databases: string[]; ms: number }
  | { kind: 'freeze_failed'; databases: string[]; error: string }
  | { kind: 'checkpointed'; ms: number; walMb: number }
  | { kind: 'checkpoint_failed'; error: string };

/** Upkeep that held the ledger's writes longer than this is worth a warning. */
export const LONG_UPKEEP_MS = 1_000;

/** Where the upkeep's lines go (a Nest `Logger`). */
export type UpkeepLogger = Pick<
  LoggerService,
  'debug' | 'log' | 'warn' | 'error'
>;

/**
 * Upkeep the ledger's writes waited for: a debug line, or a warning (with
 * `advice`) once it held them {@link LONG_UPKEEP_MS} or more.
 */
function heldWrites(
  logger: UpkeepLogger,
  ms: number,
  done: string,
  advice = '',
): void {
  if (ms < LONG_UPKEEP_MS) logger.debug?.(done);
  else logger.warn(`${done}, its writes waiting meanwhile${advice}`);
}

/** Says what the thread's upkeep did: the operator's only view of it. */
export function logUpkeep(logger: UpkeepLogger, event: UpkeepEvent): void {
  switch (event.kind) {
    case 'vacuumed':
      return heldWrites(
        logger,
        event.ms,
        `The embedded ledger vacuumed in ${event.ms} ms (${event.rows} rows)`,
        ': a ledger this size belongs in PostgreSQL (DATABASE_URL)',
      );
    case 'vacuum_failed':
      logger.warn(
        `The embedded ledger could not vacuum: ${event.error}; tried again when next due (until then dead rows pile up)`,
      );
      return;
    case 'froze':
      logger.log(
        `The embedded ledger froze its template databases (${event.databases.join(', ')}) in ${event.ms} ms: its writes waited meanwhile`,
      );
      return;
    case 'checkpointed':
      return heldWrites(
        logger,
        event.ms,
        `The embedded ledger checkpointed ${event.walMb} MB of write-ahead log in ${event.ms} ms`,
      );
    case 'checkpoint_failed':
      logger.warn(
        `The embedded ledger could not checkpoint: ${event.error}; its write-ahead log grows until one succeeds (tried again in a minute)`,
      );
      return;
    case 'freeze_failed':
      logger.error(
        `The embedded ledger could not freeze its template databases (${event.databases.join(', ')}): ${event.error}; PostgreSQL stops taking writes about 2^31 transactions after they were last frozen; tried again in an hour`,
      );
  }
}
