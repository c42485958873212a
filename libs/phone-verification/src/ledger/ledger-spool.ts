import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
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

/**
 * The ledger's spool: writes the store could not take, appended to a file
 * and flushed to the disk (fsync) before the call they describe goes on, and
 * replayed in order when the store is back. Replaying is idempotent (an
 * insert of a row already there does nothing, a completion sets the same
 * values), so a crash mid-replay replays again from the start.
 */
export class LedgerSpool {
  private readonly file: string;
  private readonly replayingFile: string;
  private pending: number;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'ledger-spool.jsonl');
    this.replayingFile = join(dir, 'ledger-spool.replaying.jsonl');
    this.pending =
      LedgerSpool.read(this.file).length +
      LedgerSpool.read(this.replayingFile).length;
  }

  /** Records waiting for the store. */
  size(): number {
    return this.pending;
  }

  /** Appends one record and flushes it to the disk; throws if the disk refuses it. */
  append(record: SpoolRecord): void {
    const fd = openSync(this.file, 'a', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(record)}\n`);
      fsyncSync(fd);
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

  /** The whole records of a spool file; a line torn by a crash is left out. */
  private static read(file: string): SpoolRecord[] {
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line) => {
        if (!line) return [];
        try {
          return [JSON.parse(line) as SpoolRecord];
        } catch {
          return [];
        }
      });
  }
}
