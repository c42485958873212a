import { join } from 'node:path';
import {
  describeHolder,
  takeFolderLock,
  type FolderLockHolder,
} from './folder-lock.js';

/**
 * PGlite's folder belongs to one process; a second one opening it (two
 * replicas on one machine without `DATABASE_URL`) would corrupt it.
 */
export class EmbeddedLedgerInUseError extends Error {
  /** The holder's pid (0 when its lock file says nothing readable). */
  readonly pid: number;

  constructor(dataDir: string, lockPath: string, holder?: FolderLockHolder) {
    super(
      `The embedded ledger in ${dataDir} is in use by ${describeHolder(lockPath, holder)}: ` +
        'one process per folder. Several replicas share a PostgreSQL ledger (DATABASE_URL) instead.',
    );
    this.name = 'EmbeddedLedgerInUseError';
    this.pid = holder?.pid ?? 0;
  }
}

/**
 * Takes the folder's lock file; one left by a process that is gone (also
 * when its pid now belongs to another process) is taken over. Returns its
 * release. Throws {@link EmbeddedLedgerInUseError} while another process
 * holds it.
 */
export function lockEmbeddedStore(dataDir: string): () => void {
  const path = join(dataDir, 'phone-verification-ledger.lock');
  return takeFolderLock(
    path,
    (holder) => new EmbeddedLedgerInUseError(dataDir, path, holder),
  );
}
