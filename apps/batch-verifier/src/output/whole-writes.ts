import {
  closeSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeSync,
} from 'node:fs';

/**
 * Writes all of `text` at the end of `fd`, however many writes it takes;
 * throws on a failure, naming `path` (a write's error names no file).
 */
export function writeWhole(fd: number, text: string, path?: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let written = 0;
  try {
    while (written < bytes.length) {
      written += writeSync(fd, bytes, written, bytes.length - written);
    }
  } catch (error) {
    const failure = error as NodeJS.ErrnoException;
    if (path !== undefined && failure.path === undefined) failure.path = path;
    throw error;
  }
}

/**
 * Cuts a torn last line (one with no newline, left by a write that failed
 * half-way, a full disk or a kill) from a file opened for appending, so the
 * next line does not get glued onto it. Returns the bytes cut.
 */
export function cutTornLastLine(fd: number): number {
  const size = fstatSync(fd).size;
  if (size === 0) return 0;
  const chunk = Buffer.alloc(Math.min(size, 64 * 1024));
  let end = size;
  while (end > 0) {
    const length = Math.min(chunk.length, end);
    readSync(fd, chunk, 0, length, end - length);
    const newline = chunk.subarray(0, length).lastIndexOf(0x0a);
    if (newline !== -1) {
      const keep = end - length + newline + 1;
      if (keep < size) ftruncateSync(fd, keep);
      return size - keep;
    }
    end -= length;
  }
  ftruncateSync(fd, 0);
  return size;
}

/**
 * The largest file this process may write (`ulimit -f`, RLIMIT_FSIZE), in
 * bytes: read from `/proc/self/limits` on Linux; `Infinity` when unlimited
 * or unknown (Node has no `getrlimit`).
 */
export function fileSizeLimit(
  limits = () => readFileSync('/proc/self/limits', 'utf8'),
): number {
  try {
    const line = /^Max file size\s+(\S+)/m.exec(limits());
    const soft = line ? Number(line[1]) : Number.NaN;
    return Number.isFinite(soft) && soft > 0 ? soft : Infinity;
  } catch {
    return Infinity;
  }
}

/** Error codes of a disk that has no room left. */
const NO_ROOM = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/** True for a write that failed for want of room. */
export function isNoRoom(error: unknown): boolean {
  return NO_ROOM.has((error as NodeJS.ErrnoException)?.code ?? '');
}

/**
 * Room kept on the output's disk for the answers of the calls in flight: a
 * file of `bytes` zeros written at the start. When the disk fills up, it is
 * deleted, and the rows already paid for still fit.
 */
export class SpaceReserve {
  private held: boolean;

  constructor(
    private readonly path: string,
    bytes: number,
  ) {
    const fd = openSync(path, 'w');
    try {
      writeWhole(fd, '\0'.repeat(bytes));
      this.held = true;
    } catch {
      // Not even that much room: there is nothing to give back later.
      this.held = false;
    } finally {
      closeSync(fd);
    }
    if (!this.held) rmSync(path, { force: true });
  }

  /** Frees the room; false when it was freed already. */
  release(): boolean {
    rmSync(this.path, { force: true });
    const had = this.held;
    this.held = false;
    return had;
  }
}
