import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { SharedRedis } from '../shared-store/shared-redis.js';
import type {
  BudgetCounterLoss,
  BudgetHold,
  BudgetLedger,
  BudgetReservationOutcome,
  BudgetScope,
} from './budget-ledger.js';
import { BUDGET_SCRIPT } from './redis-budget.script.js';

type Operation =
  | 'reserve'
  | 'keep'
  | 'release'
  | 'absorb-kept'
  | 'absorb-pending'
  | 'absorb-released'
  | 'read'
  | 'seed';

/** A reservation counted in this process while Redis was away. */
interface LocalHold {
  readonly day: string;
  readonly id: string;
  readonly scopes: readonly BudgetScope[];
  readonly expiresAt: number;
  state: 'pending' | 'kept' | 'released';
  /** Added to the shared count: settle it there from now on. */
  absorbed: boolean;
}

const field = (scope: BudgetScope) => `s:${scope.id}`;

/** The script's answer to a reservation on a day's hash not yet seeded from the usage ledger. */
const UNSEEDED = -1;

/**
 * Budget counters in the shared Redis (see `BUDGET_SCRIPT` for the layout
 * and the rules), with what a replica must remember to survive Redis's
 * faults:
 *
 * - the day's generation and the last count seen per scope, so a counter
 *   that vanished is noticed and re-seeded instead of starting from zero;
 * - reservations counted here while Redis was away (`failOpen`), capped by
 *   the last count seen plus those, and added to the shared count when
 *   Redis answers again, so the day's count ends exact;
 * - reservations whose outcome in Redis is unknown (a timeout: the script
 *   may still run), given back on Redis's return when they were refused.
 *
 * Fail closed (the default), it throws while Redis is not up: no billed call
 * is made that cannot be counted.
 */
export class RedisBudgetLedger implements BudgetLedger {
  private readonly logger = new Logger('PhoneVerificationBudget');
  private day = '';
  private generation = '';
  private readonly seen = new Map<string, number>();
  /** Reservations sent and not answered yet, per scope field. */
  private readonly inFlight = new Map<string, number>();
  private local: LocalHold[] = [];
  private loss?: BudgetCounterLoss;
  private catchingUp = false;
  /** The expiry the day's hash was last given (a seed keeps it). */
  private expiresAt = 0;
  /** Seeds that could not read the usage ledger (the budget failed closed, or open loudly). */
  private failedSeeds = 0;

  constructor(
    private readonly redis: SharedRedis,
    private readonly failOpen: boolean,
    /**
     * The day's billed and may-have-billed calls from the usage ledger:
     * when the day's hash is (re-)created, the deployment-wide count is
     * raised to it, so a counter lost to Redis (or never seen by this
     * replica) does not start from zero.
     */
    private readonly seed?: (day: string) => Promise<number>,
  ) {
    redis.availability.onRecovered(() => void this.catchUp());
  }

  async reserve(
    day: string,
    scopes: readonly BudgetScope[],
    expiresAt: number,
  ): Promise<BudgetReservationOutcome> {
    this.roll(day);
    this.expiresAt = expiresAt;
    const id = randomUUID();
    if (this.redis.availability.isUp()) {
      try {
        let full = await this.apply('reserve', day, scopes, expiresAt, id);
        if (full === UNSEEDED) {
          // A new (or lost) day's hash: from the usage ledger's count first.
          await this.seedFromLedger(day, scopes);
          full = await this.apply('reserve', day, scopes, expiresAt, id);
        }
        if (full === UNSEEDED) throw new Error('budget counter not seeded');
        if (full > 0) return { full: scopes[full - 1] };
        return { hold: this.sharedHold(day, scopes, expiresAt, id) };
      } catch {
        // The script may still run once Redis answers: settle it then.
        if (!this.failOpen) {
          this.remember(day, scopes, expiresAt, id, 'released');
        }
      }
    }
    if (!this.failOpen) throw new Error('budget store unavailable');
    return this.reserveHere(day, scopes, expiresAt, id);
  }

  async spent(
    day: string,
    scopes: readonly BudgetScope[],
    expiresAt: number,
  ): Promise<number[]> {
    this.roll(day);
    this.expiresAt = expiresAt;
    const counts = await this.redis.run(() =>
      this.script('read', day, scopes, expiresAt, '-'),
    );
    return this.observe(day, scopes, counts);
  }

  lostCounter(): BudgetCounterLoss | undefined {
    return this.loss;
  }

  seedFailures(): number {
    return this.failedSeeds;
  }

  /** Counts here while Redis is away: the last count seen plus these must stay under each cap. */
  private reserveHere(
    day: string,
    scopes: readonly BudgetScope[],
    expiresAt: number,
    id: string,
  ): BudgetReservationOutcome {
    const counting = this.local.filter(
      (h) => h.day === day && h.state !== 'released' && !h.absorbed,
    );
    const full = scopes.find((scope) => {
      const here = counting.filter((h) =>
        h.scopes.some((s) => s.id === scope.id),
      ).length;
      return (this.seen.get(field(scope)) ?? 0) + here >= scope.cap;
    });
    if (full) return { full };
    const local = this.remember(day, scopes, expiresAt, id, 'pending');
    const settle = (state: 'kept' | 'released') => async () => {
      if (!local.absorbed) {
        local.state = state;
        return;
      }
      const op = state === 'kept' ? 'keep' : 'release';
      await this.settleShared(op, day, scopes, expiresAt, id);
    };
    return { hold: { keep: settle('kept'), release: settle('released') } };
  }

  private remember(
    day: string,
    scopes: readonly BudgetScope[],
    expiresAt: number,
    id: string,
    state: LocalHold['state'],
  ): LocalHold {
    const hold: LocalHold = {
      day,
      id,
      scopes,
      expiresAt,
      state,
      absorbed: false,
    };
    this.local.push(hold);
    return hold;
  }

  private sharedHold(
    day: string,
    scopes: readonly BudgetScope[],
    expiresAt: number,
    id: string,
  ): BudgetHold {
    return {
      keep: () => this.settleShared('keep', day, scopes, expiresAt, id),
      release: () => this.settleShared('release', day, scopes, expiresAt, id),
    };
  }

  /** Settles a reservation in Redis; a release that fails is retried on Redis's return. */
  private async settleShared(
    op: 'keep' | 'release',
    day: string,
    scopes: readonly BudgetScope[],
    expiresAt: number,
    id: string,
  ): Promise<void> {
    try {
      await this.apply(op, day, scopes, expiresAt, id);
    } catch {
      // A marker left behind costs nothing; a unit not given back is retried.
      if (op === 'release') {
        this.remember(day, scopes, expiresAt, id, 'released');
      }
    }
  }

  /** On Redis's return: adds what was counted here, settles what was unknown. */
  private async catchUp(): Promise<void> {
    if (this.catchingUp) return;
    this.catchingUp = true;
    try {
      let added = 0;
      for (const hold of this.local) {
        if (hold.absorbed) continue;
        const op = `absorb-${hold.state}` as const;
        await this.apply(op, hold.day, hold.scopes, hold.expiresAt, hold.id);
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

  /** Runs one operation; returns the first full scope (1-based) or 0. */
  private async apply(
    op: Operation,
    day: string,
    scopes: readonly BudgetScope[],
    expiresAt: number,
    id: string,
  ): Promise<number> {
    const counting = op === 'reserve' ? scopes.map(field) : [];
    for (const f of counting) this.inFlight.set(f, this.inFlightOf(f) + 1);
    try {
      const reply = await this.redis.run(() =>
        this.script(op, day, scopes, expiresAt, id),
      );
      this.observe(day, scopes, reply);
      return Number((reply as unknown[])[0]);
    } finally {
      for (const f of counting) this.inFlight.set(f, this.inFlightOf(f) - 1);
    }
  }

  private inFlightOf(f: string): number {
    return this.inFlight.get(f) ?? 0;
  }

  private script(
    op: Operation,
    day: string,
    scopes: readonly BudgetScope[],
    expiresAt: number,
    id: string,
    floors?: readonly number[],
  ): Promise<unknown> {
    const current = day === this.day;
    const args: Array<string | number> = [
      expiresAt,
      current ? this.generation : '',
      randomUUID(),
      id,
      op,
      this.seed ? '1' : '0',
    ];
    for (const scope of scopes) {
      // Should the counter be gone: at least what we saw, plus our
      // reservations sent before this one and not answered yet (they ran
      // first on this connection; counted or not, the safe side).
      const f = field(scope);
      const earlier = this.inFlightOf(f) - (op === 'reserve' ? 1 : 0);
      const floor = current ? (this.seen.get(f) ?? 0) + earlier : 0;
      args.push(f, scope.cap, floors?.[scopes.indexOf(scope)] ?? floor);
    }
    const key = this.redis.key('budget', `{${day}}`);
    return this.redis.client.eval(BUDGET_SCRIPT, 1, key, ...args);
  }

  /** Learns the generation and counts from a reply; logs a loss loudly. */
  private observe(
    day: string,
    scopes: readonly BudgetScope[],
    reply: unknown,
  ): number[] {
    const [, generation, lost, , ...counts] = reply as [
      number,
      string,
      number,
      number,
      ...number[],
    ];
    const numbers = counts.map(Number);
    if (day !== this.day) return numbers;
    // Calls sent before we learnt of a loss report it again: once is enough.
    if (Number(lost) === 1 && String(generation) !== this.generation) {
      const reseededTo = this.seen.get('s:global') ?? 0;
      this.loss = { day, detectedAt: new Date(), reseededTo };
      this.logger.error(
        `The budget counter of ${day} vanished from Redis (evicted, or a restart without persistence) and was re-seeded from the highest count this instance had seen (${reseededTo} deployment-wide). ` +
          'Calls counted by other instances since they last reported may be missing. Budgets need maxmemory-policy noeviction and persistence (appendonly yes).',
      );
    }
    this.generation = String(generation);
    scopes.forEach((scope, i) => this.seen.set(field(scope), numbers[i]));
    return numbers;
  }

  /**
   * Raises an unseeded day's deployment-wide count to the usage ledger's
   * count of billed-maybe calls, and marks it seeded. When the ledger cannot
   * be read: fail closed (throws: no call is counted from zero), or, with
   * `failOpen`, log it, count it, and seed from what this replica saw.
   */
  private async seedFromLedger(
    day: string,
    scopes: readonly BudgetScope[],
  ): Promise<void> {
    let recorded = this.seen.get('s:global') ?? 0;
    try {
      // A replica without a ledger (beside ones with it) seeds from what it saw.
      if (this.seed) recorded = await this.seed(day);
    } catch (error) {
      this.failedSeeds += 1;
      if (!this.failOpen) {
        this.logger.error(
          `The budget counter of ${day} is new to Redis and the usage ledger cannot be read to seed it: billed calls are refused until it can (the budget fails closed)`,
        );
        throw error;
      }
      this.logger.error(
        `The budget counter of ${day} is new to Redis and the usage ledger cannot be read to seed it: counting from what this replica saw (failOpen), which may let the day overspend`,
      );
    }
    const floors = scopes.map((scope) =>
      scope.id === 'global' ? recorded : 0,
    );
    const reply = (await this.redis.run(() =>
      this.script('seed', day, scopes, this.expiresAt, '-', floors),
    )) as unknown[];
    this.observe(day, scopes, reply);
    if (recorded === 0) return;
    const count = Number(reply[4]);
    this.loss = {
      day,
      detectedAt: new Date(),
      reseededTo: Math.max(count, this.loss?.reseededTo ?? 0),
    };
    this.logger.warn(
      `The budget counter of ${day} was created with ${recorded} billed or may-have-billed call(s) already in the usage ledger: re-seeded to ${count} deployment-wide.`,
    );
  }

  /** A new China day: forget the last one's generation and counts. */
  private roll(day: string): void {
    if (day === this.day) return;
    this.day = day;
    this.generation = '';
    this.seen.clear();
  }
}
