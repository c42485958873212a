import {
  closeSync,
  openSync,
  readFileSync,
  readlinkSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';

/** Who holds a lock file, as the file says. */
export interface LockFileHolder {
  readonly pid: number;
  readonly host: string;
  /**
   * When the process started, in clock ticks since boot (`/proc/<pid>/stat`),
   * where the OS tells: a pid reused by another process (a container's
   * PID 1 after `kill -9`) has another start.
   */
  readonly start?: string;
  /**
   * Its PID namespace (`/proc/self/ns/pid`): a pid says nothing of a process
   * in another one (a container restarted gets a new namespace, and is PID 1
   * again). Across namespaces, the lock's heartbeat decides.
   */
  readonly pidns?: string;
}

/** A lock file this fresh may be empty yet live (being written). */
const FRESH_LOCK_MS = 2_000;
/** A holder touches its lock file this often while it lives. */
const HEARTBEAT_MS = 2_000;
/** A lock file untouched this long has no live holder (its heartbeat stopped). */
const STALE_HEARTBEAT_MS = 10_000;

/** Sleeps, event loop held: only while taking a lock at start. */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** This process's PID namespace, where the OS tells. */
function pidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

/** The start of a process, as Linux tells it; `undefined` elsewhere or when it is gone. */
function startOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: count after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
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

/** The lock files this process holds now. */
const heldHere = new Set<string>();

/** This process, as its lock files name it. */
function me(): LockFileHolder {
  return {
    pid: process.pid,
    host: hostname(),
    start: startOf(process.pid),
    pidns: pidNamespace(),
  };
}

/**
 * Whether a lock's holder is gone, judged by more than its pid: a file
 * naming this process, which does not hold it, is a previous run's (a
 * container back as PID 1 after `kill -9`); that pid with another start
 * time is another process; in another PID namespace only a stopped
 * heartbeat says so (`'wait'` while it may beat). Another host's: never.
 */
function holderGone(
  path: string,
  holder: LockFileHolder,
  ageMs: number,
  self: LockFileHolder,
): boolean | 'wait' {
  if (holder.host !== hostname()) return false;
  if (holder.pidns !== undefined && holder.pidns !== self.pidns) {
    return ageMs > STALE_HEARTBEAT_MS ? true : 'wait';
  }
  if (holder.pid === self.pid) return !heldHere.has(path);
  if (!alive(holder.pid)) return true;
  if (holder.start === undefined) return false;
  const start = startOf(holder.pid);
  return start !== undefined && start !== holder.start;
}

function readHolder(path: string): LockFileHolder | 'unreadable' {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as LockFileHolder;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') {
      return parsed;
    }
  } catch {
    // Empty or torn: a crash between creating and writing it, or a write under way.
  }
  return 'unreadable';
}

/** Keeps a lock file just taken alive (its heartbeat) until its release. */
function holdTaken(path: string, self: LockFileHolder): () => void {
  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(path, now, now);
    } catch {
      // Gone (released, or removed by hand): nothing to keep alive.
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  heldHere.add(path);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    heldHere.delete(path);
    clearInterval(heartbeat);
    const named = readHolder(path);
    if (named === 'unreadable' || named.pid !== self.pid) return; // taken over
    try {
      unlinkSync(path);
    } catch {
      // Already gone.
    }
  };
}

/**
 * Takes a lock file (created exclusively, naming pid, host, start time and
 * PID namespace, and touched every few seconds while this process lives);
 * one left by a process that is gone (dead, its pid now another process's,
 * or its heartbeat stopped) or left empty by a crash is taken over, waiting
 * up to a few seconds for a heartbeat to stop; `onTakeover` hears of it.
 * Returns its release. While another process (or this one) holds it,
 * throws what `held` builds from the holder (`undefined` when the file says
 * nothing readable). The ledger's folders and the batch's outputs use it.
 */
export function takeLockFile(
  path: string,
  held: (holder: LockFileHolder | undefined) => Error,
  onTakeover?: (holder: LockFileHolder | undefined) => void,
): () => void {
  const self = me();
  const waitUntil = Date.now() + STALE_HEARTBEAT_MS + HEARTBEAT_MS;
  for (let takeovers = 0; ;) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(self));
      } finally {
        closeSync(fd);
      }
      return holdTaken(path, self);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(path);
      let age: number;
      try {
        age = Date.now() - statSync(path).mtimeMs;
      } catch {
        continue; // Gone meanwhile: try again.
      }
      const gone =
        holder === 'unreadable'
          ? age > FRESH_LOCK_MS
          : holderGone(path, holder, age, self);
      if (gone === 'wait' && Date.now() < waitUntil) {
        pause(500);
        continue;
      }
      if (gone !== true || takeovers > 1) {
        throw held(holder === 'unreadable' ? undefined : holder);
      }
      takeovers += 1;
      onTakeover?.(holder === 'unreadable' ? undefined : holder);
      try {
        unlinkSync(path);
      } catch {
        // Someone else took it over first: try again.
      }
    }
  }
}

/** How a lock's holder reads in an error message, with the way out for another host. */
export function describeHolder(
  path: string,
  holder: LockFileHolder | undefined,
): string {
  if (!holder) return `an unknown process (${path} is being written)`;
  if (holder.host === hostname()) {
    return `process ${holder.pid} on this machine`;
  }
  return (
    `process ${holder.pid} on host ${holder.host} (this is ${hostname()}). ` +
    `If that host no longer uses this folder (a volume moved between machines), delete ${path}`
  );
}
