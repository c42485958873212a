import { DEFAULT_TIMEOUT_MS } from '../acedata/acedata-client.options.js';
import { systemClock, type Clock } from '../clock.js';
import { callDeadlineMs } from '../resilience/call-deadline.js';
import { resolvePacing } from '../resilience/pacing.options.js';
import { resolveRetry } from '../resilience/retry.options.js';
import {
  resolveLedger,
  type LedgerOptions,
  type ResolvedLedgerOptions,
} from './ledger.options.js';
import type { LedgerSql } from './ledger-sql.js';
import { pgliteLedgerSql } from './pglite-ledger-sql.js';
import { postgresLedgerSql } from './postgres-ledger-sql.js';
import { UsageLedger } from './usage-ledger.js';

/** Opens the store the options name (its driver is loaded only then). */
function openLedgerSql(
  store: ResolvedLedgerOptions['store'],
): Promise<LedgerSql> {
  if ('sql' in store) return Promise.resolve(store.sql);
  if ('postgres' in store) return postgresLedgerSql(store.postgres);
  return pgliteLedgerSql(store.pglite);
}

/**
 * Opens a ledger whose options are resolved: its store, its migrations, its
 * spool replayed. A store that is away does not throw: writes refuse or
 * spool until it is back, and reads throw.
 */
export async function openResolvedUsageLedger(
  options: ResolvedLedgerOptions,
  clock: Clock,
): Promise<UsageLedger> {
  const ledger = new UsageLedger(
    await openLedgerSql(options.store),
    options,
    clock,
  );
  await ledger.start();
  return ledger;
}

/**
 * The usage ledger outside a Nest module, for tools that read it (reports,
 * deletion requests, finance's scripts) with the options the module is
 * given. Close it when done. The embedded store is one process's: opening it
 * while the app holds its folder throws `EmbeddedLedgerInUseError`. It never
 * opens the app's spool (whose records are the app's to replay, in order):
 * with the store away, it refuses.
 */
export async function openUsageLedger(
  options: LedgerOptions,
): Promise<UsageLedger> {
  // Rows this ledger writes (none, for a reader) last as long as a call
  // with the module's default timeout, retries and pacing.
  const resolved = resolveLedger(
    { ...options, whenStoreDown: 'refuse', spoolDir: undefined },
    callDeadlineMs(
      resolveRetry(undefined),
      resolvePacing(undefined),
      DEFAULT_TIMEOUT_MS,
    ),
  );
  if (!resolved) throw new TypeError('openUsageLedger: no ledger options');
  return openResolvedUsageLedger(resolved, systemClock);
}
