import { Logger } from '@nestjs/common';
import type { Clock } from '../clock.js';
import type { PhoneVerificationRequest } from '../dto/phone-verification-request.js';
import type { ResolvedLedgerOptions } from './ledger.options.js';
import { ledgerRowOf, type LedgerAsk } from './ledger-ask.js';
import type { AnsweredBy, LedgerCompletion, LedgerRow } from './ledger-row.js';
import { InputRejections } from './input-rejections.js';
import type { LedgerSql } from './ledger-sql.js';
import { LedgerReads } from './ledger-reads.js';
import { LedgerWritePath } from './ledger-write-path.js';
import { applyLedgerMigrations } from './ledger.migrations.js';
import type { OutcomeReport } from './outcome-report.js';
import type {
  RecentQuery,
  RecentVerification,
} from './recent-verifications.js';
import type { UsageQuery, UsageReport } from './usage-report.js';

/**
 * The record of money: one row per `verify()` that passed validation. A
 * billed-maybe call's row is written *before* it goes upstream ("sent") and
 * completed after; a row still "sent" past the call's whole deadline (its
 * replica died mid-call) counts as may-have-billed. Answers that cost
 * nothing (cache, shared, budget refusals) are rows too: the audit trail of
 * who asked about whom. No raw identity: an HMAC and a masked phone.
 *
 * How rows reach the store, or wait, is {@link LedgerWritePath}'s; what
 * is read from it, {@link LedgerReads}'s.
 */
export class UsageLedger {
  private readonly logger = new Logger('PhoneVerificationLedger');
  private readonly path: LedgerWritePath;
  private readonly reads: LedgerReads;
  private migrated = false;
  private readonly flushTimer: NodeJS.Timeout;
  private readonly purgeTimer?: NodeJS.Timeout;
  private readonly rejections: InputRejections;

  constructor(
    private readonly sql: LedgerSql,
    private readonly options: ResolvedLedgerOptions,
    private readonly clock: Clock,
  ) {
    this.path = new LedgerWritePath(sql, options, clock, this.logger, () =>
      this.ready(),
    );
    this.rejections = new InputRejections(sql, clock);
    this.reads = new LedgerReads(sql, options, clock, {
      ready: () => this.ready(),
      flush: () => this.flush(),
      countRejections: () => this.countRejections(),
    });
    this.flushTimer = setInterval(() => {
      if (!this.path.tick()) void this.countRejections();
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
      await this.ready();
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
    this.path.close();
    await this.sql.close();
  }

  /** False while the store is taken for away (a write failed; no probe has reached it since). */
  storeAvailable(): boolean {
    return this.path.storeAvailable();
  }

  /** What calls do while the store is away: refused, or their rows spooled (`whenStoreDown`). */
  whenStoreAway(): 'refuse' | 'spool' {
    return this.options.whenStoreDown === 'spool' ? 'spool' : 'refuse';
  }

  /** Writes waiting for the store (spooled or in memory). */
  backlog(): number {
    return this.path.backlog();
  }

  /** Writes not on record (each logged): see {@link LedgerWritePath.unrecorded}. */
  unrecorded(): { setAside: number; freeAnswersDropped: number } {
    return this.path.unrecorded();
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
    await this.path.sent(row);
    return row.id;
  }

  /** Completes a "sent" row with how the call ended. Never throws. */
  async completed(id: string, completion: LedgerCompletion): Promise<void> {
    await this.path.write({ op: 'complete', id, completion });
  }

  /**
   * Records a call that never left (an open circuit, no pacing slot in
   * time): an upstream row with its completion, no request. Never throws.
   */
  async notSent(ask: LedgerAsk, completion: LedgerCompletion): Promise<void> {
    const row = this.rowOf(ask, 'upstream', 0);
    await this.path.write({ op: 'insert', row, completion });
  }

  /** Records an answer that cost nothing (cache, shared, budget refusal). Never throws. */
  async answeredFree(
    ask: LedgerAsk,
    answeredBy: Exclude<AnsweredBy, 'upstream'>,
    completion: LedgerCompletion,
  ): Promise<void> {
    const row = this.rowOf(ask, answeredBy, 0);
    await this.path.write({ op: 'insert', row, completion });
  }

  /**
   * Counts a request refused for its input against its caller and China day
   * (no identity; `usage()`'s `rejected`), written each flush interval.
   */
  rejected(caller?: string): void {
    this.rejections.add(caller);
  }

  /** Per China day (and caller), what was asked and what it cost, and the requests refused for their input. */
  usage(query: UsageQuery): Promise<UsageReport> {
    return this.reads.usage(query);
  }

  /** The newest verifications (or one `trace_id`'s), for support: masked, no subject. */
  recent(query: RecentQuery = {}): Promise<RecentVerification[]> {
    return this.reads.recent(query);
  }

  /** How the verifications of China days `from` to `to` ended, and upstream latency. */
  outcomes(range: { from: string; to: string }): Promise<OutcomeReport> {
    return this.reads.outcomes(range);
  }

  /** Upstream calls of one China day billed or maybe billed (budgets re-seed from it); see {@link LedgerReads.billedOn}. */
  billedOn(day: string): Promise<number> {
    return this.reads.billedOn(day);
  }

  /** Erases one person from every row about them (PIPL); see {@link LedgerReads.forget}. */
  forget(
    identity: Pick<PhoneVerificationRequest, 'name' | 'phone' | 'idCard'>,
  ): Promise<number> {
    return this.reads.forget(identity);
  }

  /** Deletes the rows older than the retention. Returns how many went. */
  purge(): Promise<number> {
    return this.reads.purge();
  }

  /** Writes the refusals counted since the last time; while the store is away they wait. */
  private async countRejections(): Promise<void> {
    if (!this.path.storeAvailable() || this.rejections.waiting() === 0) {
      return;
    }
    try {
      await this.ready();
      await this.rejections.flush();
    } catch {
      // Kept, merged, for the next interval.
    }
  }

  /** Sends what waits (the spool, then memory) to the store; one flush at a time. */
  flush(): Promise<void> {
    return this.path.flush();
  }

  /** Applies the migrations once (every replica may, at once). */
  private async ready(): Promise<void> {
    if (this.migrated) return;
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
