import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { SharedRedis } from '../shared-store/shared-redis.js';
import type { BudgetCounterLoss, BudgetScope } from './budget-ledger.js';
import { BUDGET_SCRIPT } from './redis-budget.script.js';

/** What `BUDGET_SCRIPT` does to a day's counters. */
export type BudgetOperation =
  | 'reserve'
  | 'keep'
  | 'release'
  | 'absorb-kept'
  | 'absorb-pending'
  | 'absorb-released'
  | 'read'
  | 'seed';

/** A scope's field in the day's hash. */
export const budgetField = (scope: BudgetScope) => `s:${scope.id}`;

/** One reservation of a unit in each of its scopes, until `expiresAt` (the day's end). */
export interface BudgetReservation {
  readonly day: string;
  readonly scopes: readonly BudgetScope[];
  readonly expiresAt: number;
  readonly id: string;
}

/** The script's answer to a reservation on a day's hash not yet seeded from the usage ledger. */
export const UNSEEDED = -1;

/**
 * A day's budget counters in the shared Redis as this replica knows them
 * (see `BUDGET_SCRIPT` for the layout and the rules): the day's generation
 * and the last count seen per scope, so a counter that vanished is noticed
 * and re-seeded from at least what was seen instead of starting from zero,
 * and the reservations sent and not answered yet.
 */
export class SharedBudgetCounter {
  private readonly logger = new Logger('PhoneVerificationBudget');
  private day = '';
  private generation = '';
  private readonly seen = new Map<string, number>();
  /** Reservations sent and not answered yet, per scope field. */
  private readonly inFlight = new Map<string, number>();
  private loss?: BudgetCounterLoss;

  constructor(
    private readonly redis: SharedRedis,
    /** Whether a new day's hash waits for a seed from the usage ledger. */
    private readonly seeded: boolean,
  ) {}

  /** The counter lost (evicted, or a restart) and re-seeded, if one was. */
  lostCounter(): BudgetCounterLoss | undefined {
    return this.loss;
  }

  /** The last deployment-wide count this replica saw for a scope today. */
  seenCount(scopeId: string): number {
    return this.seen.get(`s:${scopeId}`) ?? 0;
  }

  /** A new China day: forget the last one's generation and counts. */
  roll(day: string): void {
    if (day === this.day) return;
    this.day = day;
    this.generation = '';
    this.seen.clear();
  }

  /** Runs one operation; returns the first full scope (1-based), 0, or {@link UNSEEDED}. */
  async apply(op: BudgetOperation, r: BudgetReservation): Promise<number> {
    const counting = op === 'reserve' ? r.scopes.map(budgetField) : [];
    for (const f of counting) this.inFlight.set(f, this.inFlightOf(f) + 1);
    try {
      const reply = await this.redis.run(() => this.script(op, r));
      this.observe(r.day, r.scopes, reply);
      return Number((reply as unknown[])[0]);
    } finally {
      for (const f of counting) this.inFlight.set(f, this.inFlightOf(f) - 1);
    }
  }

  /** The scopes' counts today, as Redis holds them. */
  async read(
    day: string,
    scopes: readonly BudgetScope[],
    expiresAt: number,
  ): Promise<number[]> {
    const counts = await this.redis.run(() =>
      this.script('read', { day, scopes, expiresAt, id: '-' }),
    );
    return this.observe(day, scopes, counts);
  }

  /**
   * Creates an unseeded day's hash with the deployment-wide count raised to
   * `recorded` (the usage ledger's); says so when that is more than zero.
   */
  async seed(
    day: string,
    scopes: readonly BudgetScope[],
    expiresAt: number,
    recorded: number,
  ): Promise<void> {
    const floors = scopes.map((scope) =>
      scope.id === 'global' ? recorded : 0,
    );
    const reply = (await this.redis.run(() =>
      this.script('seed', { day, scopes, expiresAt, id: '-' }, floors),
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

  private inFlightOf(f: string): number {
    return this.inFlight.get(f) ?? 0;
  }

  private script(
    op: BudgetOperation,
    { day, scopes, expiresAt, id }: BudgetReservation,
    floors?: readonly number[],
  ): Promise<unknown> {
    const current = day === this.day;
    const args: Array<string | number> = [
      expiresAt,
      current ? this.generation : '',
      randomUUID(),
      id,
      op,
      this.seeded ? '1' : '0',
    ];
    for (const scope of scopes) {
      // Should the counter be gone: at least what we saw, plus our
      // reservations sent before this one and not answered yet (they ran
      // first on this connection; counted or not, the safe side).
      const f = budgetField(scope);
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
    scopes.forEach((scope, i) => this.seen.set(budgetField(scope), numbers[i]));
    return numbers;
  }
}
