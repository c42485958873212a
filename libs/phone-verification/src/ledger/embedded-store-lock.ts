import { join } from 'node:path';
import { EmbeddedLedgerInUseError } from '../errors/boot.errors.js';
import { describeHolder, takeLockFile } from '../lock-file.js';

/**
 * Takes the folder's lock file; one left by a process that is gone (also
 * when its pid now belongs to another process) is taken over. Returns its
 * release. Throws {@link EmbeddedLedgerInUseError} while another process
 * holds it.
 */
export function lockEmbeddedStore(dataDir: string): () => void {
  const path = join(dataDir, 'phone-verification-ledger.lock');
  return takeLockFile(
    path,
    (holder) =>
      new EmbeddedLedgerInUseError(
        dataDir,
        describeHolder(path, holder),
        holder?.pid,
      ),
  );
}
