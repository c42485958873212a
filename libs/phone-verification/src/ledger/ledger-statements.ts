import {
  COMPLETION_COLUMNS,
  LEDGER_COLUMNS,
  completionValues,
  rowValues,
} from './ledger-row.js';
import type { SpoolRecord } from './ledger-spool.js';
import { LEDGER_TABLE } from './ledger.migrations.js';

/** One parameterised statement. */
export interface LedgerStatement {
  readonly text: string;
  readonly params: unknown[];
}

/** The completion columns' types, for a `VALUES` list that has none. */
const COMPLETION_TYPES: Record<(typeof COMPLETION_COLUMNS)[number], string> = {
  completed_at: 'timestamptz',
  status: 'text',
  result_code: 'integer',
  billed: 'boolean',
  may_have_billed: 'boolean',
  error_code: 'text',
  trace_id: 'text',
  attempts: 'integer',
  latency_ms: 'integer',
};

/** `($1, $2, …), ($n, …)` for `rows` tuples of `width` values, `cast(column)` on each. */
function tuples(
  rows: number,
  width: number,
  cast: (column: number) => string = () => '',
): string {
  const list: string[] = [];
  for (let r = 0; r < rows; r++) {
    const row: string[] = [];
    for (let c = 0; c < width; c++) row.push(`$${r * width + c + 1}${cast(c)}`);
    list.push(`(${row.join(', ')})`);
  }
  return list.join(', ');
}

/** Inserts rows (a completion with each, or none yet); a row already there is left as it is. */
function insertStatement(
  records: readonly Extract<SpoolRecord, { op: 'insert' }>[],
): LedgerStatement {
  return {
    text: `INSERT INTO ${LEDGER_TABLE} (${LEDGER_COLUMNS.join(', ')})
      VALUES ${tuples(records.length, LEDGER_COLUMNS.length)}
      ON CONFLICT (id) DO NOTHING`,
    params: records.flatMap((r) => rowValues(r.row, r.completion)),
  };
}

/** Completes "sent" rows, each with its own completion (the last one given, as if written in turn). */
function completeStatement(
  given: readonly Extract<SpoolRecord, { op: 'complete' }>[],
): LedgerStatement {
  const records = [...new Map(given.map((r) => [r.id, r])).values()];
  const columns = ['id', ...COMPLETION_COLUMNS];
  const types = ['uuid', ...COMPLETION_COLUMNS.map((c) => COMPLETION_TYPES[c])];
  return {
    text: `UPDATE ${LEDGER_TABLE} AS t SET ${COMPLETION_COLUMNS.map(
      (c) => `${c} = v.${c}`,
    ).join(', ')}
      FROM (VALUES ${tuples(records.length, columns.length, (c) => `::${types[c]}`)})
        AS v(${columns.join(', ')})
      WHERE t.id = v.id`,
    params: records.flatMap((r) => [r.id, ...completionValues(r.completion)]),
  };
}

/**
 * The statements that write `records`, in one transaction: at most one
 * multi-row insert, then at most one multi-row completion (a completion in
 * the same group as its "sent" row lands after it). One statement each
 * instead of one per record: a store parses, plans and answers once.
 */
export function ledgerStatements(
  records: readonly SpoolRecord[],
): LedgerStatement[] {
  const inserts = records.filter((r) => r.op === 'insert');
  const completions = records.filter((r) => r.op === 'complete');
  const statements: LedgerStatement[] = [];
  if (inserts.length > 0) statements.push(insertStatement(inserts));
  if (completions.length > 0) statements.push(completeStatement(completions));
  return statements;
}
