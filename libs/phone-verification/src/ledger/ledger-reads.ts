import { chinaDay } from '../china-time.js';
import type { Clock } from '../clock.js';
import type { PhoneVerificationRequest } from '../dto/phone-verification-request.js';
import { normalizeVerificationRequest } from '../validation/normalize-request.js';
import type { ResolvedLedgerOptions } from './ledger.options.js';
import { legacySubjectHmacOf, subjectHmacOf } from './ledger-ask.js';
import type { LedgerSql } from './ledger-sql.js';
import { LEDGER_REJECTIONS_TABLE, LEDGER_TABLE } from './ledger.migrations.js';
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

/** What the usage ledger does before a read: migrate, send what waits, count refusals. */
export interface BeforeLedgerRead {
  ready(): Promise<void>;
  flush(): Promise<void>;
  countRejections(): Promise<void>;
}

/**
 * What is read from (and erased or purged in) the usage ledger's store:
 * the reports, the day's billed count budgets re-seed from, a person's
 * erasure and the retention's purge.
 */
export class LedgerReads {
  /**
   * The report being read: reports wait for each other, so that a write
   * never waits behind more than one report's statement (the embedded store
   * has one connection).
   */
  private reading: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly sql: LedgerSql,
    private readonly options: ResolvedLedgerOptions,
    private readonly clock: Clock,
    private readonly before: BeforeLedgerRead,
  ) {}

  /** Per China day (and caller), what was asked and what it cost, and the requests refused for their input. */
  usage(query: UsageQuery): Promise<UsageReport> {
    return this.oneReportAtATime(async () => {
      await this.before.ready();
      await this.before.countRejections();
      return usageReport(this.sql, query, this.clock.now());
    });
  }

  /** The newest verifications (or one `trace_id`'s), for support: masked, no subject. */
  async recent(query: RecentQuery = {}): Promise<RecentVerification[]> {
    await this.before.ready();
    return recentVerifications(this.sql, query, this.clock.now());
  }

  /** How the verifications of China days `from` to `to` ended, and upstream latency. */
  outcomes(range: {
    readonly from: string;
    readonly to: string;
  }): Promise<OutcomeReport> {
    return this.oneReportAtATime(async () => {
      await this.before.ready();
      return outcomeReport(this.sql, range);
    });
  }

  /**
   * Upstream calls of one China day that were, or may have been, billed
   * (budgets re-seed from it). What waits for the store is sent first, so
   * throws while the store is away: a budget never seeds from a partial count.
   */
  async billedOn(day: string): Promise<number> {
    await this.before.flush();
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
    await this.before.ready();
    await this.before.flush();
    const { affected } = await this.sql.query(
      `UPDATE ${LEDGER_TABLE} SET subject_hmac = NULL, masked_phone = NULL
        WHERE subject_hmac IN ($1, $2)`,
      [
        subjectHmacOf(request, this.options.secret),
        // Rows written up to 0.1, under the digest of the time.
        legacySubjectHmacOf(request, this.options.secret),
      ],
    );
    return affected;
  }

  /** Deletes the rows older than the retention. Returns how many went. */
  async purge(): Promise<number> {
    const days = this.options.retentionDays;
    if (!days) return 0;
    await this.before.ready();
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

  /** Reports take their turn when asked, so they are read in that order. */
  private oneReportAtATime<T>(read: () => Promise<T>): Promise<T> {
    const turn = this.reading.then(read, read);
    this.reading = turn.catch(() => undefined);
    return turn;
  }
}
