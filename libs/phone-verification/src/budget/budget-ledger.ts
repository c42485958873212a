/** One budget counter for one China day: its id and its cap. */
export interface BudgetScope {
  /** `global`, or `key:<HMAC of the budget key>`. */
  readonly id: string;
  readonly cap: number;
}

/** A unit counted for one upstream call, until the call's outcome settles it. */
export interface BudgetHold {
  /** The call was billed, or may have been: the unit stays spent. */
  keep(): Promise<void>;
  /** The call was certainly not billed: the unit is given back. */
  release(): Promise<void>;
}

/** What a reservation found: a scope with no room left, or a held unit. */
export type BudgetReservationOutcome =
  { readonly full: BudgetScope } | { readonly hold: BudgetHold };

/** A day's counter found missing in the shared store, and re-seeded. */
export interface BudgetCounterLoss {
  /** The China day whose counter vanished. */
  readonly day: string;
  /** When this instance noticed. */
  readonly detectedAt: Date;
  /** The deployment-wide count it was re-seeded to (the highest this instance had seen). */
  readonly reseededTo: number;
}

/** Where budget counters live: in memory (one instance) or in Redis (shared). */
export interface BudgetLedger {
  /**
   * Counts one call in every scope of `day` if all have room, atomically,
   * or reports the first scope that had none. Throws when it cannot count.
   */
  reserve(
    day: string,
    scopes: readonly BudgetScope[],
    expiresAt: number,
  ): Promise<BudgetReservationOutcome>;
  /** Units counted in each scope (`expiresAt`: when the day's counters may go, as for `reserve`). */
  spent(
    day: string,
    scopes: readonly BudgetScope[],
    expiresAt: number,
  ): Promise<number[]>;
  /** The last counter loss noticed, if any. */
  lostCounter(): BudgetCounterLoss | undefined;
  /** How many times a new day's counter could not be seeded from the usage ledger. */
  seedFailures(): number;
}

/** Counters in this process: the embedded default, for one instance. */
export class MemoryBudgetLedger implements BudgetLedger {
  private readonly counts = new Map<string, number>();
  private day = '';

  async reserve(
    day: string,
    scopes: readonly BudgetScope[],
  ): Promise<BudgetReservationOutcome> {
    this.roll(day);
    const full = scopes.find((s) => (this.counts.get(s.id) ?? 0) >= s.cap);
    if (full) return { full };
    for (const s of scopes)
      this.counts.set(s.id, (this.counts.get(s.id) ?? 0) + 1);
    return {
      hold: {
        keep: async () => undefined,
        release: async () => this.giveBack(day, scopes),
      },
    };
  }

  async spent(day: string, scopes: readonly BudgetScope[]): Promise<number[]> {
    this.roll(day);
    return scopes.map((s) => this.counts.get(s.id) ?? 0);
  }

  lostCounter(): undefined {
    return undefined;
  }

  seedFailures(): number {
    return 0;
  }

  private giveBack(day: string, scopes: readonly BudgetScope[]): void {
    if (day !== this.day) return;
    for (const s of scopes) {
      const count = this.counts.get(s.id) ?? 0;
      if (count > 0) this.counts.set(s.id, count - 1);
    }
  }

  /** A new day starts every budget afresh (and forgets yesterday's keys). */
  private roll(day: string): void {
    if (day === this.day) return;
    this.day = day;
    this.counts.clear();
  }
}
