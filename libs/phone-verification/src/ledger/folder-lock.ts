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

/** Who holds a folder's lock, as its lock file says. */
export interface FolderLockHolder {
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

/** A lock file being written this recently may be empty yet live. */
const FRESH_LOCK_MS = 2_000;
/** A holder touches its lock file this often while it lives. */
const HEARTBEAT_MS = 2_000;
/** A lock file untouched this long has no live holder (its heartbeat stopped). */
const STALE_HEARTBEAT_MS = 10_000;

/** Sleeps without giving the event loop back: only while taking a lock at start. */
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

/** This process, as its lock files name it. */
function me(): FolderLockHolder {
  return {
    pid: process.pid,
    host: hostname(),
    start: startOf(process.pid),
    pidns: pidNamespace(),
  };
}

/**
 * Whether the holder named by a lock file is gone, judged by more than its
 * pid: a process with that pid but another start time is not the holder
 * (pid reuse); in another PID namespace (a container restarted), only a
 * heartbeat that stopped says so; `'wait'` while it may still beat. A lock
 * from another host is never judged here: its error says how to clear it.
 */
function holderGone(
  holder: FolderLockHolder,
  ageMs: number,
  self: FolderLockHolder,
): boolean | 'wait' {
  if (holder.host !== hostname()) return false;
  if (holder.pidns !== self.pidns) {
    return ageMs > STALE_HEARTBEAT_MS ? true : 'wait';
  }
  if (!alive(holder.pid)) return true;
  if (holder.start === undefined) return false;
  const start = startOf(holder.pid);
  return start !== undefined && start !== holder.start;
}

function readHolder(path: string): FolderLockHolder | 'unreadable' {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as FolderLockHolder;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') {
      return parsed;
    }
  } catch {
    // Empty or torn: a crash between creating and writing it, or a write under way.
  }
  return 'unreadable';
}

/**
 * Takes a lock file (created exclusively, naming pid, host, start time and
 * PID namespace, and touched every few seconds while this process lives);
 * one left by a process that is gone (dead, its pid now another process's,
 * or its heartbeat stopped) or left empty by a crash is taken over, waiting
 * up to a few seconds for a heartbeat to stop. Returns its release. While
 * another process holds it, throws what `held` builds from the holder
 * (`undefined` when the file says nothing readable).
 */
export function takeFolderLock(
  path: string,
  held: (holder: FolderLockHolder | undefined) => Error,
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
      const heartbeat = setInterval(() => {
        try {
          const now = new Date();
          utimesSync(path, now, now);
        } catch {
          // Gone (released, or removed by hand): nothing to keep alive.
        }
      }, HEARTBEAT_MS);
      heartbeat.unref();
      return () => {
        clearInterval(heartbeat);
        try {
          unlinkSync(path);
        } catch {
          // Already gone.
        }
      };
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
          : holderGone(holder, age, self);
      if (gone === 'wait' && Date.now() < waitUntil) {
        pause(500);
        continue;
      }
      if (gone !== true || takeovers > 1) {
        throw held(holder === 'unreadable' ? undefined : holder);
      }
      takeovers += 1;
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
  holder: FolderLockHolder | undefined,
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
