import { InFlightDedupe } from './in-flight-dedupe.js';
import type { RedisSingleFlight } from './redis-single-flight.js';
import type { ResilientOutcome } from '../resilience/upstream-resilience.js';

/** An upstream outcome, and whether another verification's call produced it. */
export interface Flight {
  readonly outcome: ResilientOutcome;
  readonly shared: boolean;
}

/**
 * One upstream call per identity at a time: first among the verifications
 * in this process, then (with Redis) across every instance. The others get
 * the same outcome, marked `shared`, with no attempts of their own.
 */
export class VerificationSingleFlight {
  private readonly local = new InFlightDedupe<Flight>();

  /**
   * @param enabled `dedupe` of the module options; off, every call is its own.
   * @param acrossInstances the Redis single flight, or `null` without Redis.
   */
  constructor(
    private readonly enabled: boolean,
    private readonly acrossInstances: RedisSingleFlight | null,
  ) {}

  /** Runs `call` for `key`, or joins the call in flight for it. */
  async run(
    key: string,
    call: () => Promise<ResilientOutcome>,
  ): Promise<Flight> {
    if (!this.enabled) return { outcome: await call(), shared: false };
    const { promise, shared } = this.local.run(key, () =>
      this.runAcrossInstances(key, call),
    );
    const flight = await promise;
    return { outcome: flight.outcome, shared: shared || flight.shared };
  }

  private async runAcrossInstances(
    key: string,
    call: () => Promise<ResilientOutcome>,
  ): Promise<Flight> {
    if (!this.acrossInstances) return { outcome: await call(), shared: false };
    const { value, shared } = await this.acrossInstances.run(
      key,
      call,
      (outcome) => ({ ...outcome, attempts: 0 }),
    );
    return { outcome: value, shared };
  }
}
