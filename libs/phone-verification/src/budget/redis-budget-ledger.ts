import type { SharedRedis } from '../shared-store/shared-redis.js';
import {
  READ_BUDGET,
  RELEASE_BUDGET,
  RESERVE_BUDGET,
} from '../shared-store/redis-scripts.js';
import type { BudgetLedger, BudgetScope } from './budget-ledger.js';

/**
 * Budget counters in the shared Redis, one per scope and day, under
 * `<namespace>:budget:{<day>}:<scope>` (the hash tag keeps one day's counters
 * in one cluster slot, so a Lua script can check and count them together).
 * They expire after the day. Throws when Redis is away: budgets fail closed.
 */
export class RedisBudgetLedger implements BudgetLedger {
  constructor(private readonly redis: SharedRedis) {}

  async reserve(
    day: string,
    scopes: readonly BudgetScope[],
    expiresAt: number,
  ): Promise<BudgetScope | undefined> {
    const full = await this.run(
      RESERVE_BUDGET,
      day,
      scopes,
      expiresAt,
      ...scopes.map((s) => s.cap),
    );
    const index = Number(full);
    return index > 0 ? scopes[index - 1] : undefined;
  }

  async release(day: string, scopes: readonly BudgetScope[]): Promise<void> {
    await this.run(RELEASE_BUDGET, day, scopes);
  }

  async spent(day: string, scopes: readonly BudgetScope[]): Promise<number[]> {
    const counts = await this.run(READ_BUDGET, day, scopes);
    return Array.isArray(counts) ? counts.map(Number) : scopes.map(() => 0);
  }

  private async run(
    script: string,
    day: string,
    scopes: readonly BudgetScope[],
    ...args: number[]
  ): Promise<unknown> {
    const { availability, client } = this.redis;
    if (!availability.isUp()) throw new Error('redis unavailable');
    const keys = scopes.map((s) => this.redis.key('budget', `{${day}}`, s.id));
    try {
      return await client.eval(script, keys.length, ...keys, ...args);
    } catch (error) {
      availability.failed();
      throw error;
    }
  }
}
