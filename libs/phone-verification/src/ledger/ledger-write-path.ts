import type { Logger } from '@nestjs/common';
import type { Clock } from '../clock.js';
import { LedgerUnavailableError } from '../errors/ledger.errors.js';
import type { ResolvedLedgerOptions } from './ledger.options.js';
import type { LedgerCompletion, LedgerRow } from './ledger-row.js';
import { LedgerStoreWrites } from './ledger-store-writes.js';
import { GroupCommit } from './group-commit.js';
import type { LedgerSql } from './ledger-sql.js';
import { LedgerSpool, type SpoolRecord } from './ledger-spool.js';
import { LEDGER_TABLE } from './ledger.migrations.js';

/**
 * How the ledger's rows reach its store: writes arriving together share one
 * statement (group commit). When the store fails a write it is taken for
 * away: a "sent" row is refused ({@link LedgerUnavailableError}) or, with a
 * spool, flushed to the local disk; completions and free answers wait in
 * the spool, or in memory without one; a probe brings the store back and
 * what waits is replayed in order.
 */
export class LedgerWritePath {
  private readonly spool?: LedgerSpool;
  /** Free answers not recorded because the in-memory backlog was full. */
  private dropped = 0;
  /** Writes waiting for the store when there is no spool (completions, free answers). */
  private readonly waiting: SpoolRecord[] = [];
  private readonly writes: LedgerStoreWrites;
  /** Writes arriving together share one statement and its commit (group commit). */
  private readonly groups = new GroupCommit<SpoolRecord>((records) =>
    this.writes.applyGroup(records),
  );
  /**
   * The store failed a write and no probe has reached it since: writes go
   * straight to the spool (or are refused) instead of each waiting out the
   * store's timeouts; a probe each `flushIntervalMs` brings it back.
   */
  private storeAway = false;
  private probing?: Promise<void>;
  private flushing?: Promise<void>;

  constructor(
    private readonly sql: LedgerSql,
    private readonly options: ResolvedLedgerOptions,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** Resolves once the store's migrations are applied. */
    private readonly ready: () => Promise<void>,
  ) {
    if (options.whenStoreDown === 'spool') {
      this.spool = new LedgerSpool(options.spoolDir);
    }
    this.writes = new LedgerStoreWrites(sql, logger);
  }

  /** False while the store is taken for away (a write failed; no probe has reached it since). */
  storeAvailable(): boolean {
    return !this.storeAway;
  }

  /** Writes waiting for the store (spooled or in memory). */
  backlog(): number {
    return (this.spool?.size() ?? 0) + this.waiting.length;
  }

  /**
   * Writes not on record: refused by the store for their content even with
   * their money facts alone, and free answers (no call, no charge) past a
   * full in-memory backlog.
   */
  unrecorded(): { setAside: number; freeAnswersDropped: number } {
    return {
      setAside: this.writes.setAsideCount(),
      freeAnswersDropped: this.dropped,
    };
  }

  /** What the flush timer does: probe an away store, else send what waits. False when idle. */
  tick(): boolean {
    if (this.storeAway) void this.probe();
    else if (this.backlog() > 0) void this.flush().catch(() => undefined);
    else return false;
    return true;
  }

  /** Closes the spool (after a last flush). */
  close(): void {
    this.spool?.close();
  }

  /**
   * Writes a "sent" row; resolves once the store or the spool has it.
   * Throws {@link LedgerUnavailableError} when neither took it.
   */
  async sent(row: LedgerRow): Promise<void> {
    // Its completion could not be kept: refuse rather than lose it.
    if (this.backlogFull()) throw new LedgerUnavailableError();
    let mayHaveLanded = false;
    if (!this.storeAway) {
      try {
        await this.ready();
        await this.groups.submit({ op: 'insert', row });
        return;
      } catch {
        this.storeAway = true;
        // A timed-out insert may still commit on the server.
        mayHaveLanded = true;
      }
    }
    try {
      if (!this.spool) throw new LedgerUnavailableError();
      this.spool.append({ op: 'insert', row });
    } catch {
      // Refused, so never sent: a row that landed all the same must not
      // count as may-have-billed once its deadline passes.
      if (mayHaveLanded) {
        void this.write({
          op: 'complete',
          id: row.id,
          completion: this.refusal(),
        });
      }
      throw new LedgerUnavailableError();
    }
  }

  /** Writes a completion or a finished row: the store, else the spool, else memory. Never throws. */
  async write(record: SpoolRecord): Promise<void> {
    if (!this.storeAway) {
      try {
        if (this.backlog() > 0) await this.flush();
        await this.ready();
        await this.groups.submit(record);
        return;
      } catch {
        this.storeAway = true;
      }
    }
    try {
      if (this.spool) {
        this.spool.append(record);
        return;
      }
    } catch {
      // The disk refused too: keep it in memory.
    }
    this.keepInMemory(record);
  }

  /** Sends what waits (the spool, then memory) to the store; one flush at a time. */
  flush(): Promise<void> {
    this.flushing ??= this.flushNow().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** True when no more writes may wait in memory: calls are refused until the store is back. */
  private backlogFull(): boolean {
    return (
      !this.spool && this.waiting.length >= this.options.maxWaitingInMemory
    );
  }

  private keepInMemory(record: SpoolRecord): void {
    const free = record.op === 'insert' && record.row.answeredBy !== 'upstream';
    if (free && this.waiting.length >= this.options.maxWaitingInMemory) {
      // No call, no charge: dropped, loudly. A completion is always kept
      // (new calls are refused meanwhile, so they stay bounded).
      this.dropped += 1;
      this.logger.warn(
        `The ledger's store is away and ${this.waiting.length} writes wait in memory: a free answer (${record.row.answeredBy}) was not recorded`,
      );
      return;
    }
    this.waiting.push(record);
  }

  private async flushNow(): Promise<void> {
    await this.ready();
    await this.spool?.replay((record) => this.writes.apply(record));
    while (this.waiting.length > 0) {
      await this.writes.apply(this.waiting[0]);
      this.waiting.shift();
    }
    this.storeAway = false;
  }

  /** Asks the store for one cheap answer; when it gives it, sends what waits. */
  private probe(): Promise<void> {
    this.probing ??= (async () => {
      try {
        // A store away since start has no table yet: migrate first. Then
        // read the table itself: a lock held on it is a stall, not a store back.
        await this.ready();
        await this.sql.query(`SELECT 1 FROM ${LEDGER_TABLE} LIMIT 1`);
        await this.flush();
      } catch {
        // Still away: the next round asks again.
      } finally {
        this.probing = undefined;
      }
    })();
    return this.probing;
  }

  /** The completion of a row whose call was refused: not sent, not billed. */
  private refusal(): LedgerCompletion {
    return {
      completedAt: this.clock.now(),
      status: 'error',
      billed: false,
      mayHaveBilled: false,
      errorCode: 'ledger_unavailable',
      attempts: 0,
      latencyMs: 0,
    };
  }
}
