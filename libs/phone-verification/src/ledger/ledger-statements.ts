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
  /** The name a store may keep it prepared under (the same name, the same text). */
  readonly name?: string;
}

/**
 * The most rows of each kind a group may hold and still be kept prepared: a
 * store then keeps at most 17 × 17 − 1 statements, one per shape, and the
 * groups that load makes (a few rows each) skip parsing them: on PGlite, a
 * good part of a small write's cost. A larger group is parsed each time.
 */
const PREPARED_UP_TO = 16;

/** The name of the statement for `inserts` rows and `completions` completions, when it is kept prepared. */
function preparedName(inserts: number, completions: number) {
  return inserts <= PREPARED_UP_TO && completions <= PREPARED_UP_TO
    ? `${LEDGER_TABLE}_write_${inserts}_${completions}`
    : undefined;
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

/** Inserts `rows` rows (a completion with each, or none yet); a row already there is left as it is. */
function insertText(rows: number): string {
  return `INSERT INTO ${LEDGER_TABLE} (${LEDGER_COLUMNS.join(', ')})
      VALUES ${tuples(rows, LEDGER_COLUMNS.length)}
      ON CONFLICT (id) DO NOTHING`;
}

/** Completes `rows` "sent" rows, each with its own completion, numbered after `before` parameters. */
function completeText(rows: number, before = 0): string {
  const columns = ['id', ...COMPLETION_COLUMNS];
  const types = ['uuid', ...COMPLETION_COLUMNS.map((c) => COMPLETION_TYPES[c])];
  return `UPDATE ${LEDGER_TABLE} AS t SET ${COMPLETION_COLUMNS.map(
    (c) => `${c} = v.${c}`,
  ).join(', ')}
      FROM (VALUES ${tuples(rows, columns.length, before, (c) => `::${types[c]}`)})
        AS v(${columns.join(', ')})
      WHERE t.id = v.id`;
}

/** The text for `inserts` rows and `completions` completions: one statement. */
function statementText(inserts: number, completions: number): string {
  if (completions === 0) return insertText(inserts);
  if (inserts === 0) return completeText(completions);
  const before = inserts * LEDGER_COLUMNS.length;
  return `WITH sent AS (${insertText(inserts)}) ${completeText(completions, before)}`;
}

/** The texts of the shapes kept prepared, built once each. */
const preparedTexts = new Map<string, string>();

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
  const params: unknown[] = [];
  let inserts = 0;
  for (const r of records) {
    if (r.op !== 'insert') continue;
    inserts += 1;
    params.push(
      ...rowValues(
        r.row,
        completions.get(r.row.id)?.completion ?? r.completion,
      ),
    );
  }
  for (const r of completions.values())
    params.push(r.id, ...completionValues(r.completion));
  const name = preparedName(inserts, completions.size);
  if (name === undefined)
    return { text: statementText(inserts, completions.size), params };
  let text = preparedTexts.get(name);
  if (text === undefined) {
    text = statementText(inserts, completions.size);
    preparedTexts.set(name, text);
  }
  return { text, params, name };
}
