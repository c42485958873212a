import { chinaDay } from '../china-time.js';
import type { Clock } from '../clock.js';
import { columnText } from './ledger-row.js';
import type { LedgerSql } from './ledger-sql.js';
import { LEDGER_REJECTIONS_TABLE } from './ledger.migrations.js';

/** Day and caller pairs counted in memory at most, between two writes (more callers than that in one interval are not counted). */
const MAX_PENDING = 10_000;

/** One line of counts: a China day, a caller (`''`: none) and how many were refused. */
interface RejectionCount {
  readonly day: string;
  readonly caller: string;
  count: number;
}

const keyOf = (line: RejectionCount): string =>
  `${line.day}\u0000${line.caller}`;

/**
 * Requests refused for their input (nothing was sent, nothing billed),
 * counted per China day and caller: no identity, no time, no field kept,
 * only a number. Counted in memory and added to the store's counts in one
 * statement every flush (a process killed loses at most one interval's
 * counts: they are not money); while the store is away the counts wait,
 * merged, and are added when it is back.
 */
export class InputRejections {
  private pending = new Map<string, RejectionCount>();

  constructor(
    private readonly sql: LedgerSql,
    private readonly clock: Clock,
  ) {}

  /** Counts one refused request of `caller`'s (none: an app without callers). */
  add(caller: string | undefined): void {
    const line = {
      day: chinaDay(this.clock.now()),
      caller: columnText(caller) ?? '',
      count: 1,
    };
    // A new pair only while fewer than MAX_PENDING wait.
    if (this.pending.size < MAX_PENDING || this.pending.has(keyOf(line))) {
      this.merge(line);
    }
  }

  /** Adds `line` to the pending count of its day and caller. */
  private merge(line: RejectionCount): void {
    const seen = this.pending.get(keyOf(line));
    if (seen) seen.count += line.count;
    else this.pending.set(keyOf(line), line);
  }

  /** Counts waiting to be written. */
  waiting(): number {
    return this.pending.size;
  }

  /** Adds the waiting counts to the store's; kept for the next try if it fails (then throws). */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const lines = [...this.pending.values()];
    this.pending = new Map();
    try {
      const values = lines
        .map((_, i) => `($${i * 3 + 1}::date, $${i * 3 + 2}, $${i * 3 + 3})`)
        .join(', ');
      await this.sql.query(
        `INSERT INTO ${LEDGER_REJECTIONS_TABLE} (china_day, caller, rejected)
         VALUES ${values}
         ON CONFLICT (china_day, caller)
         DO UPDATE SET rejected = ${LEDGER_REJECTIONS_TABLE}.rejected + EXCLUDED.rejected`,
        lines.flatMap((line) => [line.day, line.caller, line.count]),
      );
    } catch (error) {
      // Back with what arrived meanwhile, for the next flush.
      for (const line of lines) this.merge(line);
      throw error;
    }
  }
}

/** Refused requests per China day (and caller), over a range: the usage report's `rejected`. */
export async function rejectionCounts(
  sql: LedgerSql,
  range: { from: string; to: string; caller?: string },
): Promise<{ day: string; caller?: string; rejected: number }[]> {
  const params: unknown[] = [range.from, range.to];
  let where = 'china_day BETWEEN $1 AND $2';
  if (range.caller !== undefined) {
    params.push(range.caller);
    where += ' AND caller = $3';
  }
  const { rows } = await sql.query<{
    day: string;
    caller: string;
    rejected: string | number;
  }>(
    `SELECT to_char(china_day, 'YYYY-MM-DD') AS day, caller, rejected
       FROM ${LEDGER_REJECTIONS_TABLE} WHERE ${where} ORDER BY china_day, caller`,
    params,
  );
  return rows.map((row) => ({
    day: row.day,
    ...(row.caller === '' ? {} : { caller: row.caller }),
    rejected: Number(row.rejected),
  }));
}
