import {
  closeSync,
  openSync,
  readFileSync,
  realpathSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname, basename, join } from 'node:path';

/** Another run holds the output: this one must not pay for the same rows. */
export class OutputLockedError extends Error {
  constructor(
    readonly lockPath: string,
    readonly holder: LockHolder,
  ) {
    super(
      `${lockPath} says run ${holder.pid} on ${holder.host} (started ${holder.startedAt}) is writing this output; ` +
        'two runs on one --out would both pay for the same rows. Wait for it, or remove the lock file if that run is gone.',
    );
    this.name = 'OutputLockedError';
  }
}

/** Who holds a lock, as written in the lock file. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
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

function readHolder(path: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    return typeof holder.pid === 'number' && typeof holder.host === 'string'
      ? holder
      : undefined;
  } catch {
    return undefined;
  }
}

/** The lock files this process holds now. */
const heldHere = new Set<string>();

/**
 * Whether a lock left on this host is stale: its process is gone, or its
 * pid is this process's own while this process does not hold it (a
 * container restarted after `kill -9` is PID 1 again: the lock is its
 * previous run's).
 */
function staleHere(holder: LockHolder, path: string): boolean {
  if (holder.pid === process.pid) return !heldHere.has(path);
  return !alive(holder.pid);
}

/** The lock file beside an output: `<dir>/.<name>.lock`. */
export function lockPathOf(out: string): string {
  let dir = dirname(out);
  try {
    dir = realpathSync(dir);
  } catch {
    // The folder is checked when the output is opened.
  }
  return join(dir, `.${basename(out)}.lock`);
}

/**
 * Takes the exclusive lock on an output file: a lock file created atomically
 * (`O_EXCL`) naming this process's pid and host. A lock left by a process of
 * this host that is no longer running (or that named this very pid: a
 * container restarted) is stale: it is taken over, and
 * `onTakeover` says so. A lock held by a live process (or by another host,
 * which this one cannot check) throws `OutputLockedError`. Returns the
 * release, which also runs when the process exits.
 */
export function lockOutput(
  out: string,
  onTakeover: (holder: LockHolder, lockPath: string) => void,
): () => void {
  const path = lockPathOf(out);
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      writeSync(fd, `${JSON.stringify(me)}\n`);
      closeSync(fd);
      heldHere.add(path);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(path);
      const stale =
        holder !== undefined &&
        holder.host === me.host &&
        staleHere(holder, path);
      if (!stale || attempt > 0) {
        throw new OutputLockedError(
          path,
          holder ?? { pid: 0, host: 'unknown', startedAt: 'unknown' },
        );
      }
      onTakeover(holder, path);
      // Only if it is still the dead run's: another run may have taken it
      // over just now (the window left is the two calls below).
      if (readHolder(path)?.pid === holder.pid) {
        try {
          unlinkSync(path);
        } catch {
          // Another run took it over first: the next attempt finds its lock.
        }
      }
    }
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    heldHere.delete(path);
    if (readHolder(path)?.pid === me.pid) {
      try {
        unlinkSync(path);
      } catch {
        // Gone already.
      }
    }
  };
  process.once('exit', release);
  return release;
}

/** True when `out` is the input file itself (links and relative paths resolved). */
export function sameFile(input: string, out: string): boolean {
  try {
    return realpathSync(input) === realpathSync(out);
  } catch {
    return false;
  }
}
