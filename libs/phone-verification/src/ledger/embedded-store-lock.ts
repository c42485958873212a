import {
  closeSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * PGlite's folder belongs to one process; a second one opening it (two
 * replicas on one machine without `DATABASE_URL`) would corrupt it.
 */
export class EmbeddedLedgerInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `The embedded ledger in ${dataDir} is in use by process ${pid} on this machine: ` +
        'one process per folder. Several replicas share a PostgreSQL ledger (DATABASE_URL) instead.',
    );
    this.name = 'EmbeddedLedgerInUseError';
  }
}

/** True while a process with this pid runs on this machine. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the folder's lock file (created exclusively, naming pid and host);
 * a lock left by a process that is gone is taken over. Returns its release.
 * Throws {@link EmbeddedLedgerInUseError} while another process holds it.
 */
export function lockEmbeddedStore(dataDir: string): () => void {
  const path = join(dataDir, 'phone-verification-ledger.lock');
  const me = { pid: process.pid, host: hostname() };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(path);
        } catch {
          // Already gone.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder: { pid?: unknown; host?: unknown } = {};
      try {
        holder = JSON.parse(readFileSync(path, 'utf8')) as typeof holder;
      } catch {
        // Torn or unreadable: treat as held by an unknown process.
      }
      const pid = typeof holder.pid === 'number' ? holder.pid : 0;
      const stale = holder.host === me.host && pid > 0 && !alive(pid);
      if (!stale || attempt > 0)
        throw new EmbeddedLedgerInUseError(dataDir, pid);
      unlinkSync(path);
    }
  }
}
