/** Running counts of a batch, for progress and the final summary. */
export class BatchTally {
  readonly byStatus = new Map<string, number>();
  /** Rows answered in this run (written to the output). */
  written = 0;
  /** Rows already in the output from an earlier run. */
  resumed = 0;
  billed = 0;
  calls = 0;
  duplicatesSaved = 0;
  /** Dry run: distinct valid identities that would be sent. */
  wouldSend = 0;
  invalid = 0;
  malformed = 0;
  uncertain = 0;
  readonly startedAt = Date.now();

  count(status: string): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    this.written++;
  }

  elapsedMs(): number {
    return Date.now() - this.startedAt;
  }
}
