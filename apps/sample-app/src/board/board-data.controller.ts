import {
  PHONE_VERIFICATION_LEDGER,
  PhoneVerificationService,
  chinaDay,
  type RecentVerification,
  type UsageCounts,
  type UsageLedger,
} from '@app/phone-verification';
import { Controller, Get, Header, Inject, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiKeys } from '../auth/api-keys.js';
import { OperatorOnly } from '../auth/public.decorator.js';
import {
  SAMPLE_APP_CONFIG,
  type SampleAppConfig,
} from '../sample-app.config.js';
import { fromLedger } from '../ledger/ledger-required.js';
import { RecentVerificationsQueryDto } from './board-requests.dto.js';
import {
  CSV_ROWS,
  filtersOf,
  verificationAnswer,
  verificationsCsv,
} from './verification-rows.js';

const DAY_MS = 86_400_000;
/** The days the board charts, today included. */
const CHART_DAYS = 30;
/** Result statuses the board shows on their own; the rest are "other". */
const SHOWN_STATUSES = ['consistent', 'inconsistent', 'no_record'] as const;

const NO_COUNTS: UsageCounts = {
  upstreamCalls: 0,
  billed: 0,
  mayHaveBilled: 0,
  cacheHits: 0,
  shared: 0,
  budgetRefused: 0,
  rejected: 0,
};

/** Yuan to the fen. */
const yuan = (amount: number): number => Math.round(amount * 100) / 100;

/**
 * What the operator's board reads, for operator keys only: today's spend
 * against the budget and what the cache and single flight saved, the last
 * 30 China days, outcomes and latency (from the usage ledger, and the live
 * budget and circuit breaker), and the newest verifications, masked. Never a
 * name, a full phone number or an ID number.
 */
@ApiTags('board')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'A caller key, not an operator key' })
@OperatorOnly()
@Controller('board')
export class BoardDataController {
  constructor(
    @Inject(PHONE_VERIFICATION_LEDGER)
    private readonly ledger: UsageLedger | null,
    private readonly verification: PhoneVerificationService,
    @Inject(SAMPLE_APP_CONFIG) private readonly config: SampleAppConfig,
    private readonly keys: ApiKeys,
  ) {}

  @Get('summary')
  @ApiOperation({
    summary:
      'Today against the budget, what the cache and shared answers saved, the last 30 China days, outcomes and latency',
  })
  async summary() {
    const now = Date.now();
    const today = chinaDay(now);
    const first = chinaDay(now - (CHART_DAYS - 1) * DAY_MS);
    const [usage, outcomes, budgets] = await Promise.all([
      fromLedger(this.ledger, (ledger) =>
        ledger.usage({ from: first, to: today }),
      ),
      fromLedger(this.ledger, (ledger) =>
        ledger.outcomes({ from: today, to: today }),
      ),
      this.verification.budgetUsage().catch(() => []),
    ]);
    const byDay = new Map(usage.days.map((day) => [day.day, day]));
    const counts = byDay.get(today) ?? NO_COUNTS;
    const budget = budgets.find((b) => b.budgetKey === 'global');
    const price = this.config.pricePerCallCny;
    const savedCalls = counts.cacheHits + counts.shared;
    const { byStatus } = outcomes;
    const shown = SHOWN_STATUSES.reduce((n, s) => n + (byStatus[s] ?? 0), 0);
    const errors = byStatus.error ?? 0;
    const all = Object.values(byStatus).reduce((n, count) => n + count, 0);
    return {
      day: today,
      price_per_call_cny: price ?? null,
      today: {
        billed: counts.billed,
        budget: budget?.limit ?? null,
        budget_spent: budget?.spent ?? null,
        may_have_billed: counts.mayHaveBilled,
        upstream_calls: counts.upstreamCalls,
        cache_hits: counts.cacheHits,
        shared: counts.shared,
        budget_refused: counts.budgetRefused,
        rejected: counts.rejected,
        saved_calls: savedCalls,
        spent_cny: price === undefined ? null : yuan(counts.billed * price),
        saved_cny: price === undefined ? null : yuan(savedCalls * price),
      },
      days: Array.from({ length: CHART_DAYS }, (_, i) => {
        const day = chinaDay(now - (CHART_DAYS - 1 - i) * DAY_MS);
        const counted = byDay.get(day) ?? NO_COUNTS;
        return {
          day,
          billed: counted.billed,
          may_have_billed: counted.mayHaveBilled,
        };
      }),
      outcomes: {
        consistent: byStatus.consistent ?? 0,
        inconsistent: byStatus.inconsistent ?? 0,
        no_record: byStatus.no_record ?? 0,
        other: all - shown - errors,
        errors,
      },
      latency_ms: outcomes.upstreamLatencyMs,
      circuit: this.verification.circuitState(),
    };
  }

  @Get('verifications')
  @ApiOperation({
    summary:
      'The newest verifications, filtered by trace_id (or its start), status, caller and China days, a page at a time: time, caller, masked phone, status, billed, cache or shared, trace_id',
  })
  async verifications(@Query() query: RecentVerificationsQueryDto) {
    const limit = query.limit ?? 50;
    const page = query.page ?? 1;
    // One row more than the page: whether there is a next one.
    const rows = await fromLedger(this.ledger, (ledger) =>
      ledger.recent({
        ...filtersOf(query, this.keys),
        limit: limit + 1,
        offset: (page - 1) * limit,
      }),
    );
    return {
      page,
      has_more: rows.length > limit,
      verifications: rows
        .slice(0, limit)
        .map((row) => verificationAnswer(row, this.keys)),
    };
  }

  @Get('verifications.csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @Header('Content-Disposition', 'attachment; filename="verifications.csv"')
  @ApiOperation({
    summary:
      'The filtered verifications as CSV (masked phones; the newest 10000 at most)',
  })
  async verificationsCsv(@Query() query: RecentVerificationsQueryDto) {
    const rows: RecentVerification[] = [];
    // The ledger hands out 500 rows at a time.
    for (let offset = 0; offset < CSV_ROWS; offset += 500) {
      const batch = await fromLedger(this.ledger, (ledger) =>
        ledger.recent({ ...filtersOf(query, this.keys), limit: 500, offset }),
      );
      rows.push(...batch);
      if (batch.length < 500) break;
    }
    return verificationsCsv(
      rows.map((row) => verificationAnswer(row, this.keys)),
    );
  }
}
