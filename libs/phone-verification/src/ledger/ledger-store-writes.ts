import type { Logger } from '@nestjs/common';
import type { LedgerCompletion } from './ledger-row.js';
import type { LedgerSql } from './ledger-sql.js';
import type { SpoolRecord } from './ledger-spool.js';
import { ledgerStatement } from './ledger-statements.js';

/**
 * Whether the store refused a write for what it holds (SQLSTATE classes 22
 * data exception, 23 integrity, 54 program limit: a NUL, a number out of
 * range, an index row too large), not because it is away.
 */
function refusedForContent(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}

/** A completion's money facts alone. */
const bare = (c: LedgerCompletion): LedgerCompletion => ({
  completedAt: c.completedAt,
  status: 'unrecordable',
  billed: c.billed,
  mayHaveBilled: c.mayHaveBilled,
  attempts: c.attempts,
  latencyMs: 0,
});

/** A record with only the money facts: no free text, no code (what a store refused for its content). */
function moneyFactsOf(record: SpoolRecord): SpoolRecord {
  if (record.op === 'complete') {
    return { ...record, completion: bare(record.completion) };
  }
  return {
    op: 'insert',
    row: { ...record.row, caller: undefined, requestId: undefined },
    ...(record.completion ? { completion: bare(record.completion) } : {}),
  };
}

/**
 * How the ledger's writes reach its store: a group in one statement, and
 * a write the store refuses for its content kept with its money facts
 * alone, never mistaken for a store away nor blocking the writes behind it.
 */
export class LedgerStoreWrites {
  /** Writes the store refused for their content even with the money facts alone (never expected). */
  private setAside = 0;

  constructor(
    private readonly sql: LedgerSql,
    private readonly logger: Logger,
  ) {}

  /** How many writes were set aside (see {@link apply}). */
  setAsideCount(): number {
    return this.setAside;
  }

  /**
   * Writes one record. A write the store refuses for its content is written
   * again with its money facts alone, and set aside (logged, counted) if
   * even that is refused: it never passes for a store away, nor blocks the
   * writes behind it.
   */
  async apply(record: SpoolRecord): Promise<void> {
    try {
      await this.applyAsIs([record]);
      return;
    } catch (error) {
      if (!refusedForContent(error)) throw error;
      this.logger.warn(
        `The ledger's store refused a ${record.op} for its content (SQLSTATE ${(error as { code: string }).code}): recorded with its money facts only`,
      );
    }
    try {
      await this.applyAsIs([moneyFactsOf(record)]);
    } catch (error) {
      if (!refusedForContent(error)) throw error;
      this.setAside += 1;
      this.logger.error(
        `The ledger's store refused a ${record.op} even with its money facts only (SQLSTATE ${(error as { code: string }).code}): set aside`,
      );
    }
  }

  /**
   * Writes a group in one statement, as if in turn. When the store refuses
   * one of them for its content, the statement is void and each is written
   * again on its own, so that one poisoned row costs the others nothing.
   */
  async applyGroup(records: readonly SpoolRecord[]): Promise<void> {
    if (records.length === 1) return this.apply(records[0]);
    try {
      await this.applyAsIs(records);
    } catch (error) {
      if (!refusedForContent(error)) throw error;
      for (const record of records) await this.apply(record);
    }
  }

  /** Writes `records` as they are, in one statement (atomic on its own). */
  private async applyAsIs(records: readonly SpoolRecord[]): Promise<void> {
    const { text, params, name } = ledgerStatement(records);
    await this.sql.query(text, params, name);
  }
}
