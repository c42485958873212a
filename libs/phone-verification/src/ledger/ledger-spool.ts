import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  describeHolder,
  takeLockFile,
  type LockFileHolder,
} from '../lock-file.js';
import type { LedgerCompletion, LedgerRow } from './ledger-row.js';

/** One write the store could not take, kept on disk until it can. */
export type SpoolRecord =
  | {
      readonly op: 'insert';
      readonly row: LedgerRow;
      readonly completion?: LedgerCompletion;
    }
  | {
      readonly op: 'complete';
      readonly id: string;
      readonly completion: LedgerCompletion;
    };

/** A spool folder belongs to one replica: two would replay each other's records out of order. */
export class LedgerSpoolInUseError extends Error {
  constructor(dir: string, lockPath: string, holder?: LockFileHolder) {
    super(
      `The ledger's spool folder ${dir} is in use by ${describeHolder(lockPath, holder)}: ` +
        'one replica per spool folder (give each replica its own PHONE_VERIFICATION_LEDGER_SPOOL_DIR).',
    );
    this.name = 'LedgerSpoolInUseError';
  }
}

/** One record as a line: `<crc32 of the JSON, hex> <JSON>\n`. */
function frame(record: SpoolRecord): Buffer {
  const json = JSON.stringify(record);
  return Buffer.from(`${crc32(json).toString(16)} ${json}\n`, 'utf8');
}

/** The record of a whole, intact line; `undefined` for anything else. */
function unframe(line: string): SpoolRecord | undefined {
  // A spool written before records were framed: one JSON object a line.
  if (line.startsWith('{')) {
    try {
      return JSON.parse(line) as SpoolRecord;
    } catch {
      return undefined;
    }
  }
  const space = line.indexOf(' ');
  if (space < 1) return undefined;
  const json = line.slice(space + 1);
  if (crc32(json).toString(16) !== line.slice(0, space)) return undefined;
  try {
    return JSON.parse(json) as SpoolRecord;
  } catch {
    return undefined;
  }
}

/**
 * Cuts a file back to its last whole line: what a crash or a full disk
 * left half-written is dropped (its call never went on), so the next record
 * is not glued onto it.
 */
function cutTornTail(file: string): void {
  if (!existsSync(file)) return;
  const bytes = readFileSync(file);
  if (bytes.length === 0 || bytes[bytes.length - 1] === 0x0a) return;
  truncateSync(file, bytes.lastIndexOf(0x0a) + 1);
}

/**
 * The ledger's spool: writes the store could not take, appended to a file
 * and flushed to the disk (fsync) before the call they describe goes on, and
 * replayed in order when the store is back. Each record is one framed line
 * (a checksum, then its JSON), written whole or not at all: a short write (a
 * full disk) is cut back and refused, so the call is refused too. The folder
 * is one replica's (a lock file). Replaying is idempotent (an insert of a
 * row already there does nothing, a completion sets the same values), so a
 * crash mid-replay replays again from the start.
 */
export class LedgerSpool {
  private readonly file: string;
  private readonly replayingFile: string;
  private readonly unlock: () => void;
  private pending: number;

  /** Takes the folder; throws {@link LedgerSpoolInUseError} while another process holds it. */
  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    const lockPath = join(dir, 'ledger-spool.lock');
    this.unlock = takeLockFile(
      lockPath,
      (holder) => new LedgerSpoolInUseError(dir, lockPath, holder),
    );
    this.file = join(dir, 'ledger-spool.jsonl');
    this.replayingFile = join(dir, 'ledger-spool.replaying.jsonl');
    cutTornTail(this.file);
    cutTornTail(this.replayingFile);
    this.pending =
      LedgerSpool.read(this.file).length +
      LedgerSpool.read(this.replayingFile).length;
  }

  /** Records waiting for the store. */
  size(): number {
    return this.pending;
  }

  /**
   * Appends one whole record and flushes it to the disk; throws if the disk
   * refuses any of it, leaving the file as it was.
   */
  append(record: SpoolRecord): void {
    const bytes = frame(record);
    const fd = openSync(this.file, 'a', 0o600);
    const before = statSync(this.file).size;
    try {
      // A full disk writes part of what was asked without an error; the
      // next write fails. Write until all of it is down, or fail.
      for (let done = 0; done < bytes.length;) {
        done += writeSync(fd, bytes, done, bytes.length - done);
      }
      fsyncSync(fd);
    } catch (error) {
      try {
        ftruncateSync(fd, before);
      } catch {
        // The next start cuts the torn tail.
      }
      throw error;
    } finally {
      closeSync(fd);
    }
    this.pending += 1;
  }

  /**
   * Applies every spooled record, oldest first (those appended meanwhile
   * too), and forgets each file once all its records went through. Stops at
   * the first that fails (the store is away again), keeping them for the
   * next replay. Returns how many were applied.
   */
  async replay(apply: (record: SpoolRecord) => Promise<void>): Promise<number> {
    let applied = 0;
    for (;;) {
      if (!existsSync(this.replayingFile)) {
        if (!existsSync(this.file)) break;
        renameSync(this.file, this.replayingFile);
      }
      const records = LedgerSpool.read(this.replayingFile);
      for (const record of records) await apply(record);
      unlinkSync(this.replayingFile);
      applied += records.length;
      this.pending = LedgerSpool.read(this.file).length;
    }
    this.pending = 0;
    return applied;
  }

  /** Gives the folder up. */
  close(): void {
    this.unlock();
  }

  /** The whole, intact records of a spool file. */
  private static read(file: string): SpoolRecord[] {
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line) => {
        const record = line ? unframe(line) : undefined;
        return record ? [record] : [];
      });
  }
}
