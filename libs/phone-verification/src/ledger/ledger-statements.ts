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

/**
 * `($n, …), (…)` for `rows` tuples of `width` values, numbered after the
 * `before` parameters of the statement, `cast(column)` on each.
 */
function tuples(
  rows: number,
  width: number,
  before = 0,
  cast: (column: number) => string = () => '',
): string {
  const list: string[] = [];
  for (let r = 0; r < rows; r++) {
    const row: string[] = [];
    for (let c = 0; c < width; c++)
      row.push(`$${before + r * width + c + 1}${cast(c)}`);
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
  records: readonly Extract<SpoolRecord, { op: 'complete' }>[],
  before = 0,
): LedgerStatement {
  const columns = ['id', ...COMPLETION_COLUMNS];
  const types = ['uuid', ...COMPLETION_COLUMNS.map((c) => COMPLETION_TYPES[c])];
  return {
    text: `UPDATE ${LEDGER_TABLE} AS t SET ${COMPLETION_COLUMNS.map(
      (c) => `${c} = v.${c}`,
    ).join(', ')}
      FROM (VALUES ${tuples(records.length, columns.length, before, (c) => `::${types[c]}`)})
        AS v(${columns.join(', ')})
      WHERE t.id = v.id`,
    params: records.flatMap((r) => [r.id, ...completionValues(r.completion)]),
  };
}

/**
 * The one statement that writes `records`, atomic on its own (no
 * transaction around it, one round trip): a multi-row insert, a multi-row
 * completion, or both as one (`WITH sent AS (INSERT …) UPDATE …`), landing as
 * if written in turn. Both parts of that one see the table as it was before
 * it, so a completion whose row the same statement inserts is written with
 * the row; it stays in the completion part too, for a row that was already
 * there (the insert then leaves it as it is). The last completion given for
 * a row is the one written.
 */
export function ledgerStatement(
  records: readonly SpoolRecord[],
): LedgerStatement {
  const completions = new Map<
    string,
    Extract<SpoolRecord, { op: 'complete' }>
  >();
  for (const r of records) if (r.op === 'complete') completions.set(r.id, r);
  const inserts = records
    .filter((r) => r.op === 'insert')
    .map((r) => {
      const completion = completions.get(r.row.id)?.completion;
      return completion ? { ...r, completion } : r;
    });
  const completing = [...completions.values()];
  if (completing.length === 0) return insertStatement(inserts);
  if (inserts.length === 0) return completeStatement(completing);
  const insert = insertStatement(inserts);
  const complete = completeStatement(completing, insert.params.length);
  return {
    text: `WITH sent AS (${insert.text}) ${complete.text}`,
    params: [...insert.params, ...complete.params],
  };
}
