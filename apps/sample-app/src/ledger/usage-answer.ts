import type { UsageCounts, UsageReport } from '@app/phone-verification';
import { stringify } from 'csv-stringify/sync';

/** The usage report's counts, snake_case as the rest of the app's answers. */
export function usageCountsAnswer(counts: UsageCounts) {
  return {
    upstream_calls: counts.upstreamCalls,
    billed: counts.billed,
    may_have_billed: counts.mayHaveBilled,
    cache_hits: counts.cacheHits,
    shared: counts.shared,
    budget_refused: counts.budgetRefused,
    rejected: counts.rejected,
  };
}

/** `GET /usage`'s answer (and the ledger CLI's `--json`). */
export function usageAnswer(report: UsageReport) {
  return {
    from: report.from,
    to: report.to,
    days: report.days.map((day) => ({
      day: day.day,
      ...usageCountsAnswer(day),
    })),
    totals: usageCountsAnswer(report.totals),
    by_code: report.codes,
  };
}

/** What {@link usageAnswer} gives. */
export type UsageAnswer = ReturnType<typeof usageAnswer>;

const COLUMNS = [
  'upstream_calls',
  'billed',
  'may_have_billed',
  'cache_hits',
  'shared',
  'budget_refused',
  'rejected',
] as const;

/**
 * The report as CSV for finance: a line per China day, then a `total` line
 * (the same columns as `GET /usage`).
 */
export function usageCsv(answer: UsageAnswer): string {
  const lines = [
    ...answer.days.map((day) => ({ ...day })),
    { day: 'total', ...answer.totals },
  ].map((line) => [line.day, ...COLUMNS.map((column) => line[column])]);
  return stringify([['day', ...COLUMNS], ...lines]);
}

/**
 * The report as a table for a terminal, with the answers by result code
 * below it (what our table billed of each, against AceData's bill).
 */
export function usageTable(answer: UsageAnswer): string {
  const rows = [
    ['day', ...COLUMNS],
    ...answer.days.map((day) => [
      day.day,
      ...COLUMNS.map((c) => String(day[c])),
    ]),
    ['total', ...COLUMNS.map((c) => String(answer.totals[c]))],
  ];
  const codes = [
    ['code', 'status', 'answers', 'billed'],
    ...answer.by_code.map((c) => [
      String(c.code),
      c.status,
      String(c.answers),
      String(c.billed),
    ]),
  ];
  return `${aligned(rows)}\nanswers by result code, as our table billed them:\n${aligned(codes)}`;
}

function aligned(rows: string[][]): string {
  const widths = rows[0].map((_, i) =>
    Math.max(...rows.map((row) => row[i].length)),
  );
  return rows
    .map((row) =>
      row
        .map((cell, i) =>
          i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]),
        )
        .join('  '),
    )
    .join('\n')
    .concat('\n');
}
