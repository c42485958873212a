import type { Logger } from '@nestjs/common';
import type { BudgetHold, BudgetReservationOutcome } from './budget-ledger.js';
import type {
  BudgetReservation,
  SharedBudgetCounter,
} from './shared-budget-counter.js';

/** A reservation this process must settle in Redis on its return. */
interface LocalHold extends BudgetReservation {
  state: 'pending' | 'kept' | 'released';
  /** Added to the shared count: settle it there from now on. */
  absorbed: boolean;
}

/**
 * What one replica remembers of its reservations to survive Redis's faults:
 *
 * - reservations counted here while Redis was away (`failOpen`), capped by
 *   the last count seen plus those, and added to the shared count when
 *   Redis answers again, so the day's count ends exact;
 * - reservations whose outcome in Redis is unknown (a timeout: the script
 *   may still run), given back on Redis's return when they were refused.
 */
export class BudgetHoldsHere {
  private local: LocalHold[] = [];
  private catchingUp = false;

  constructor(
    private readonly counter: SharedBudgetCounter,
    private readonly logger: Logger,
  ) {}

  /** Counts here while Redis is away: the last count seen plus these must stay under each cap. */
  reserve(r: BudgetReservation): BudgetReservationOutcome {
    const counting = this.local.filter(
      (h) => h.day === r.day && h.state !== 'released' && !h.absorbed,
    );
    const full = r.scopes.find((scope) => {
      const here = counting.filter((h) =>
        h.scopes.some((s) => s.id === scope.id),
      ).length;
      return this.counter.seenCount(scope.id) + here >= scope.cap;
    });
    if (full) return { full };
    const local = this.remember(r, 'pending');
    const settle = (state: 'kept' | 'released') => async () => {
      if (!local.absorbed) {
        local.state = state;
        return;
      }
      await this.settleShared(state === 'kept' ? 'keep' : 'release', r);
    };
    return { hold: { keep: settle('kept'), release: settle('released') } };
  }

  /** A reservation Redis counted: settled there. */
  sharedHold(r: BudgetReservation): BudgetHold {
    return {
      keep: () => this.settleShared('keep', r),
      release: () => this.settleShared('release', r),
    };
  }

  /** Keeps a reservation to settle in Redis on its return. */
  remember(r: BudgetReservation, state: LocalHold['state']): LocalHold {
    const hold: LocalHold = { ...r, state, absorbed: false };
    this.local.push(hold);
    return hold;
  }

  /** On Redis's return: adds what was counted here, settles what was unknown. */
  async catchUp(): Promise<void> {
    if (this.catchingUp) return;
    this.catchingUp = true;
    try {
      let added = 0;
      for (const hold of this.local) {
        if (hold.absorbed) continue;
        await this.counter.apply(`absorb-${hold.state}`, hold);
        hold.absorbed = true;
        if (hold.state !== 'released') added++;
      }
      this.local = this.local.filter((h) => !h.absorbed);
      if (added > 0) {
        this.logger.log(
          `Redis answers again: ${added} billed call(s) made while it was away added to the shared budget`,
        );
      }
    } catch {
      // Redis failed again: the rest is caught up on its next return.
    } finally {
      this.catchingUp = false;
    }
  }

  /** Settles a reservation in Redis; a release that fails is retried on Redis's return. */
  private async settleShared(
    op: 'keep' | 'release',
    r: BudgetReservation,
  ): Promise<void> {
    try {
      await this.counter.apply(op, r);
    } catch {
      // A marker left behind costs nothing; a unit not given back is retried.
      if (op === 'release') this.remember(r, 'released');
    }
  }
}
