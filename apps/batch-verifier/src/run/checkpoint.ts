import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, existsSync, openSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { cutTornLastLine, writeWhole } from '../output/whole-writes.js';
import type { IdentityKeying } from './subject.js';

/** What a checkpoint says of earlier runs. */
export interface CheckpointState {
  /** How this output's identity keys are made: their secret, and whether in the way of 0.1. */
  readonly keying: IdentityKeying;
  /** Rows sent upstream, with their identity key. */
  readonly sent: Map<number, string>;
  /**
   * Rows marked sent whose call certainly cost nothing since (refused before
   * sending, or answered with an error that was not billed): safe to send.
   */
  readonly unsent: Set<number>;
}

/**
 * The small file beside the output that makes a resume safe: the secret of
 * the identity keys (`D <secret>`; `K <secret>` in a checkpoint of 0.1,
 * whose keys were made the old way, and are made so again on resume), a
 * line `S <row> <key>` written *before* each upstream call, and `U <row>`
 * when that call certainly cost nothing (not sent after all: a spent
 * budget; or an error that was not billed, dropped from the output by
 * `--retry-errors`). The last line of a row wins. Keys are HMACs: no name,
 * phone or ID number is stored. A row sent but absent from the output was
 * cut off mid-call: it may have been billed, and is not sent again unless
 * asked.
 */
export class Checkpoint {
  private constructor(
    private readonly fd: number,
    private readonly path: string,
    readonly state: CheckpointState,
  ) {}

  static async open(path: string): Promise<Checkpoint> {
    const sent = new Map<number, string>();
    const unsent = new Set<number>();
    let keying: IdentityKeying | undefined;
    if (existsSync(path)) {
      // A line torn by a full disk or a kill is not a record: cut it.
      const torn = openSync(path, 'r+');
      cutTornLastLine(torn);
      closeSync(torn);
      const lines = createInterface({ input: createReadStream(path, 'utf8') });
      for await (const line of lines) {
        const [kind, row, key] = line.split(' ');
        if (kind === 'D') keying = { secret: row, legacy: false };
        else if (kind === 'K') keying = { secret: row, legacy: true };
        else if (kind === 'S' && key) {
          // Sent again after a `U`: this later call is what counts.
          sent.set(Number(row), key);
          unsent.delete(Number(row));
        } else if (kind === 'U') unsent.add(Number(row));
      }
    }
    const fd = openSync(path, 'a');
    if (keying === undefined) {
      keying = { secret: randomBytes(32).toString('hex'), legacy: false };
      writeWhole(fd, `D ${keying.secret}\n`, path);
    }
    return new Checkpoint(fd, path, { keying, sent, unsent });
  }

  /** Records that `row` is about to be sent. */
  sending(row: number, key: string): void {
    writeWhole(this.fd, `S ${row} ${key}\n`, this.path);
  }

  /** Records that `row`'s call certainly cost nothing. */
  notSent(row: number): void {
    writeWhole(this.fd, `U ${row}\n`, this.path);
    this.state.unsent.add(row);
  }
}
