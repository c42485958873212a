/** Running counts of a batch, for progress and the final summary. */
export class BatchTally {
  readonly byStatus = new Map<string, number>();
  /** Rows answered in this run (written to the output). */
  written = 0;
  /** Rows already in the output from an earlier run. */
  resumed = 0;
  billed = 0;
  /** Upstream calls (attempts) started, retries included. */
  calls = 0;
  /** When the first and the latest upstream call started (ms since the epoch). */
  firstCallAt?: number;
  lastCallAt?: number;
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

  /** An upstream call (or a retry) is starting now. */
  callStarted(now = Date.now()): void {
    this.calls++;
    this.firstCallAt ??= now;
    this.lastCallAt = now;
  }

  /**
   * The pace of the calls: starts per second from the first start to the
   * last (N calls span N - 1 intervals), which `--rate` bounds; undefined
   * under two calls. Calls divided by the elapsed time would read above the
   * limit on a short run (13 calls at 10/s start within 1.2 s: "10.8/s").
   */
  callsPerSecond(): number | undefined {
    if (this.calls < 2 || this.firstCallAt === undefined) return undefined;
    const spanMs = (this.lastCallAt ?? this.firstCallAt) - this.firstCallAt;
    return spanMs > 0 ? ((this.calls - 1) * 1000) / spanMs : undefined;
  }

  elapsedMs(): number {
    return Date.now() - this.startedAt;
  }
}
