/** One budget counter for one China day: its id and its cap. */
export interface BudgetScope {
  /** `global`, or `key:<HMAC of the budget key>`. */
  readonly id: string;
  readonly cap: number;
}

/** Where budget counters live: in memory (one instance) or in Redis (shared). */
export interface BudgetLedger {
  /**
   * Counts one call in every scope of `day` if all have room, atomically;
   * returns the first scope that had none. Throws when the store is away.
   */
  reserve(
    day: string,
    scopes: readonly BudgetScope[],
    expiresAt: number,
  ): Promise<BudgetScope | undefined>;
  /** Gives the unit back to every scope. */
  release(day: string, scopes: readonly BudgetScope[]): Promise<void>;
  /** Units counted in each scope. */
  spent(day: string, scopes: readonly BudgetScope[]): Promise<number[]>;
}

/** Counters in this process: the embedded default, for one instance. */
export class MemoryBudgetLedger implements BudgetLedger {
  private readonly counts = new Map<string, number>();
  private day = '';

  async reserve(
    day: string,
    scopes: readonly BudgetScope[],
    _expiresAt: number,
  ): Promise<BudgetScope | undefined> {
    this.roll(day);
    const full = scopes.find((s) => (this.counts.get(s.id) ?? 0) >= s.cap);
    if (full) return full;
    for (const s of scopes)
      this.counts.set(s.id, (this.counts.get(s.id) ?? 0) + 1);
    return undefined;
  }

  async release(day: string, scopes: readonly BudgetScope[]): Promise<void> {
    if (day !== this.day) return;
    for (const s of scopes) {
      const count = this.counts.get(s.id) ?? 0;
      if (count > 0) this.counts.set(s.id, count - 1);
    }
  }

  async spent(day: string, scopes: readonly BudgetScope[]): Promise<number[]> {
    this.roll(day);
    return scopes.map((s) => this.counts.get(s.id) ?? 0);
  }

  /** A new day starts every budget afresh (and forgets yesterday's keys). */
  private roll(day: string): void {
    if (day === this.day) return;
    this.day = day;
    this.counts.clear();
  }
}
