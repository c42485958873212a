import { Logger } from '@nestjs/common';
import { chinaDay } from '../china-time.js';
import type { Clock } from '../clock.js';
import type { PhoneVerificationRequest } from '../dto/phone-verification-request.js';
import { LedgerUnavailableError } from '../errors/ledger.errors.js';
import { normalizeVerificationRequest } from '../validation/normalize-request.js';
import type { ResolvedLedgerOptions } from './ledger.options.js';
import { ledgerRowOf, subjectHmacOf, type LedgerAsk } from './ledger-ask.js';
import type { AnsweredBy, LedgerCompletion, LedgerRow } from './ledger-row.js';
import { LedgerStoreWrites } from './ledger-store-writes.js';
import { GroupCommit } from './group-commit.js';
import { InputRejections } from './input-rejections.js';
import type { LedgerSql } from './ledger-sql.js';
import { LedgerSpool, type SpoolRecord } from './ledger-spool.js';
import {
  LEDGER_REJECTIONS_TABLE,
  LEDGER_TABLE,
  applyLedgerMigrations,
} from './ledger.migrations.js';
import { outcomeReport, type OutcomeReport } from './outcome-report.js';
import {
  recentVerifications,
  type RecentQuery,
  type RecentVerification,
} from './recent-verifications.js';
import {
  usageReport,
  type UsageQuery,
  type UsageReport,
} from './usage-report.js';

/**
 * The record of money: one row per `verify()` that passed validation. A
 * billed-maybe call's row is written *before* it goes upstream ("sent") and
 * completed after; a row still "sent" past the call's whole deadline (its
 * replica died mid-call) counts as may-have-billed. Answers that cost
 * nothing (cache, shared, budget refusals) are rows too: the audit trail of
 * who asked about whom. No raw identity: an HMAC and a masked phone.
 *
 * When the store cannot take a "sent" row, the call is refused
 * ({@link LedgerUnavailableError}), or, with a spool, the row is flushed to
 * the local disk and replayed when the store is back. Completions and free
 * answers the store cannot take wait in the spool, or in memory without one.
 */
export class UsageLedger {
  private readonly logger = new Logger('PhoneVerificationLedger');
  private readonly spool?: LedgerSpool;
  /** Free answers not recorded because the in-memory backlog was full. */
  private dropped = 0;
  /**
   * The report being read: reports wait for each other, so that a write
   * never waits behind more than one report's statement (the embedded store
   * has one connection).
   */
  private reading: Promise<unknown> = Promise.resolve();
  /** Writes waiting for the store when there is no spool (completions, free answers). */
  private readonly waiting: SpoolRecord[] = [];
  /** Writes arriving together share one transaction (group commit). */
  private readonly groups = new GroupCommit<SpoolRecord>((records) =>
    this.writes.applyGroup(records),
  );
  private readonly writes: LedgerStoreWrites;
  private migrated = false;
  /**
   * The store failed a write and no probe has reached it since: writes go
   * straight to the spool (or are refused) instead of each waiting out the
   * store's timeouts; a probe each `flushIntervalMs` brings it back.
   */
  private storeAway = false;
  private probing?: Promise<void>;
  private flushing?: Promise<void>;
  private readonly flushTimer: NodeJS.Timeout;
  private readonly purgeTimer?: NodeJS.Timeout;
  private readonly rejections: InputRejections;

  constructor(
    private readonly sql: LedgerSql,
    private readonly options: ResolvedLedgerOptions,
    private readonly clock: Clock,
  ) {
    if (options.whenStoreDown === 'spool') {
      this.spool = new LedgerSpool(options.spoolDir);
    }
    this.rejections = new InputRejections(sql, clock);
    this.writes = new LedgerStoreWrites(sql, this.logger);
    this.flushTimer = setInterval(() => {
      if (this.storeAway) void this.probe();
      else if (this.backlog() > 0) void this.flush().catch(() => undefined);
      else void this.countRejections();
    }, options.flushIntervalMs);
    this.flushTimer.unref();
    if (options.retentionDays) {
      this.purgeTimer = setInterval(() => {
        // A store that is away now is purged on the next round.
        this.purge().catch(() => undefined);
      }, options.purgeIntervalMs);
      this.purgeTimer.unref();
    }
  }

  /** Applies the migrations (once, whatever the number of replicas starting) and replays the spool. */
  async start(): Promise<void> {
    try {
      await this.migrate();
      await this.flush();
      if (this.options.retentionDays) await this.purge();
    } catch {
      // The store is away at start: writes refuse or spool until it is back.
    }
  }

  /** Stops the background flush and closes the store. */
  async close(): Promise<void> {
    clearInterval(this.flushTimer);
    clearInterval(this.purgeTimer);
    await this.flush().catch(() => undefined);
    await this.countRejections();
    this.spool?.close();
    await this.sql.close();
  }

  /** False while the store is taken for away (a write failed; no probe has reached it since). */
  storeAvailable(): boolean {
    return !this.storeAway;
  }

  /** What calls do while the store is away: refused, or their rows spooled (`whenStoreDown`). */
  whenStoreAway(): 'refuse' | 'spool' {
    return this.options.whenStoreDown === 'spool' ? 'spool' : 'refuse';
  }

  /** Writes waiting for the store (spooled or in memory). */
  backlog(): number {
    return (this.spool?.size() ?? 0) + this.waiting.length;
  }

  /**
   * Writes not on record: refused by the store for their content even with
   * their money facts alone, and free answers (no call, no charge) past a
   * full in-memory backlog. Each is logged.
   */
  unrecorded(): { setAside: number; freeAnswersDropped: number } {
    return {
      setAside: this.writes.setAsideCount(),
      freeAnswersDropped: this.dropped,
    };
  }

  /** True when no more writes may wait in memory: calls are refused until the store is back. */
  private backlogFull(): boolean {
    return (
      !this.spool && this.waiting.length >= this.options.maxWaitingInMemory
    );
  }

  /**
   * Writes the "sent" row of a call about to go upstream; the call must not
   * leave before this resolves. Throws {@link LedgerUnavailableError} when
   * neither the store nor the spool took it.
   */
  async sent(
    ask: LedgerAsk,
    deadlineMs = this.options.callDeadlineMs,
  ): Promise<string> {
    const row = this.rowOf(ask, 'upstream', deadlineMs);
    // Its completion could not be kept: refuse rather than lose it.
    if (this.backlogFull()) throw new LedgerUnavailableError();
    let mayHaveLanded = false;
    if (!this.storeAway) {
      try {
        await this.ready();
        await this.groups.submit({ op: 'insert', row });
        return row.id;
      } catch {
        this.storeAway = true;
        // A timed-out insert may still commit on the server.
        mayHaveLanded = true;
      }
    }
    try {
      if (!this.spool) throw new LedgerUnavailableError();
      this.spool.append({ op: 'insert', row });
      return row.id;
    } catch {
      // Refused, so never sent: a row that landed all the same must not
      // count as may-have-billed once its deadline passes.
      if (mayHaveLanded) void this.completed(row.id, this.refusal());
      throw new LedgerUnavailableError();
    }
  }

  /** Completes a "sent" row with how the call ended. Never throws. */
  async completed(id: string, completion: LedgerCompletion): Promise<void> {
    await this.write({ op: 'complete', id, completion });
  }

  /**
   * Records a call that never left (an open circuit, no pacing slot in
   * time): an upstream row with its completion, no request. Never throws.
   */
  async notSent(ask: LedgerAsk, completion: LedgerCompletion): Promise<void> {
    const row = this.rowOf(ask, 'upstream', 0);
    await this.write({ op: 'insert', row, completion });
  }

  /** Records an answer that cost nothing (cache, shared, budget refusal). Never throws. */
  async answeredFree(
    ask: LedgerAsk,
    answeredBy: Exclude<AnsweredBy, 'upstream'>,
    completion: LedgerCompletion,
  ): Promise<void> {
    const row = this.rowOf(ask, answeredBy, 0);
    await this.write({ op: 'insert', row, completion });
  }

  /**
   * Counts a request refused for its input (nothing sent, nothing billed)
   * against its caller and China day: no identity, no time, only the count
   * (`usage()`'s `rejected`). Counted in memory, written each flush
   * interval. Never throws.
   */
  rejected(caller?: string): void {
    this.rejections.add(caller);
  }

  /** Per China day (and caller), what was asked and what it cost, and the requests refused for their input. */
  async usage(query: UsageQuery): Promise<UsageReport> {
    await this.ready();
    await this.countRejections();
    return this.oneReportAtATime(() =>
      usageReport(this.sql, query, this.clock.now()),
    );
  }

  /** The newest verifications (or one `trace_id`'s), for support: masked, no subject. */
  async recent(query: RecentQuery = {}): Promise<RecentVerification[]> {
    await this.ready();
    return recentVerifications(this.sql, query, this.clock.now());
  }

  /** How the verifications of China days `from` to `to` ended, and upstream latency. */
  async outcomes(range: {
    readonly from: string;
    readonly to: string;
  }): Promise<OutcomeReport> {
    await this.ready();
    return this.oneReportAtATime(() => outcomeReport(this.sql, range));
  }

  /**
   * Upstream calls of one China day that were, or may have been, billed
   * (budgets re-seed from it). What waits for the store is sent first, so
   * throws while the store is away: a budget never seeds from a partial count.
   */
  async billedOn(day: string): Promise<number> {
    await this.flush();
    const { rows } = await this.sql.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${LEDGER_TABLE}
        WHERE china_day = $1 AND answered_by = 'upstream'
          AND (billed OR may_have_billed OR completed_at IS NULL)`,
      [day],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Erases one person from every row about them (PIPL's right to deletion):
   * the identity is normalised and HMAC'd as when it was recorded, and its
   * rows lose the subject and the masked phone. The money facts stay (day,
   * caller, billed, code, trace id), so budgets and reconciliation still
   * count the calls, and a call of theirs in flight is still completed.
   * Returns how many rows were erased. Throws `InvalidInputError` for an
   * identity that could not have been recorded.
   */
  async forget(
    identity: Pick<PhoneVerificationRequest, 'name' | 'phone' | 'idCard'>,
  ): Promise<number> {
    const request = normalizeVerificationRequest(
      { name: identity.name, phone: identity.phone, idCard: identity.idCard },
      'short',
    );
    await this.ready();
    await this.flush();
    const { affected } = await this.sql.query(
      `UPDATE ${LEDGER_TABLE} SET subject_hmac = NULL, masked_phone = NULL
        WHERE subject_hmac = $1`,
      [subjectHmacOf(request, this.options.secret)],
    );
    return affected;
  }

  /** Deletes the rows older than the retention. Returns how many went. */
  async purge(): Promise<number> {
    const days = this.options.retentionDays;
    if (!days) return 0;
    await this.ready();
    const before = this.clock.now() - days * 86_400_000;
    const { affected } = await this.sql.query(
      `DELETE FROM ${LEDGER_TABLE} WHERE sent_at < $1`,
      [new Date(before)],
    );
    await this.sql.query(
      `DELETE FROM ${LEDGER_REJECTIONS_TABLE} WHERE china_day < $1::date`,
      [chinaDay(before)],
    );
    return affected;
  }

  /** Writes the refusals counted since the last time; while the store is away they wait. */
  private async countRejections(): Promise<void> {
    if (this.storeAway || this.rejections.waiting() === 0) return;
    try {
      await this.ready();
      await this.rejections.flush();
    } catch {
      // Kept, merged, for the next interval.
    }
  }

  /** Sends what waits (the spool, then memory) to the store; one flush at a time. */
  flush(): Promise<void> {
    this.flushing ??= this.flushNow().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
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

  private async write(record: SpoolRecord): Promise<void> {
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

  private oneReportAtATime<T>(read: () => Promise<T>): Promise<T> {
    const turn = this.reading.then(read, read);
    this.reading = turn.catch(() => undefined);
    return turn;
  }

  private async ready(): Promise<void> {
    if (this.migrated) return;
    await this.migrate();
  }

  private async migrate(): Promise<void> {
    await applyLedgerMigrations(this.sql, this.options.replica);
    this.migrated = true;
  }

  private rowOf(
    ask: LedgerAsk,
    answeredBy: AnsweredBy,
    deadlineMs: number,
  ): LedgerRow {
    const { replica, secret } = this.options;
    const now = this.clock.now();
    return ledgerRowOf(ask, answeredBy, { now, deadlineMs, replica, secret });
  }
}
