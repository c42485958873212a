import { randomUUID } from 'node:crypto';
import type { PhoneVerificationResult } from '../dto/phone-verification-result.js';
import { PhoneVerificationError } from '../errors/phone-verification.error.js';
import {
  SharedVerificationError,
  type StoredVerificationError,
} from '../errors/shared-verification.error.js';
import { UpstreamUnavailableError } from '../errors/upstream-unavailable.error.js';
import type { Clock } from '../clock.js';
import type { SharedRedis } from '../shared-store/shared-redis.js';
import { LEASE_STATE, RELEASE_LEASE } from '../shared-store/redis-scripts.js';
import type { SingleFlightTiming } from '../shared-store/shared-store.options.js';
import { mayHaveBilled } from '../billing/settlement.js';

/** What the leader leaves for the instances waiting on it. */
type SharedAnswer =
  | { readonly result: PhoneVerificationResult }
  | { readonly error: StoredVerificationError };

const ANSWER_TTL_MS = 60_000;
/**
 * A released lease stays a while as `done:<token>`, so an instance that
 * found it taken a moment ago still finds the answer it was waiting for.
 */
const RELEASED_LEASE_TTL_MS = 2_000;
const DONE = 'done:';

/** The outcome of `run`: the answer, and whether another instance paid for it. */
export interface SingleFlightOutcome<T> {
  readonly value: T;
  readonly shared: boolean;
}

/** How a wait on a leader ended. */
type WaitEnd = SharedAnswer | 'take-over' | 'on-our-own';

/**
 * One upstream call per identity across every instance on one Redis.
 *
 * The first instance takes a lease (`SET NX PX`) and leaves its answer under
 * the lease's token; the others poll for that answer.
 *
 * **Invariant: a waiter calls only when the leader cannot still be
 * calling.** A lease lives for the call's whole deadline (timeout × attempts
 * plus back-off) plus a margin, and is never renewed, so no stall of Redis
 * can make it lapse while its leader may call. A leader whose `SET NX` took
 * longer than the margin to come back gives the lease up instead of calling
 * (it may expire before the call ends). A waiter learns, from the lease's
 * `PTTL`, the latest moment its leader can be calling, and does not take
 * over before it, even when the lease vanished early (evicted, flushed, a
 * restart) or Redis stops answering meanwhile. A leader that died leaves
 * its lease to lapse; one waiter then takes over (the dead leader's call may
 * have been billed). When Redis is away before any lease was seen, each
 * instance calls for itself (the in-process dedupe and cache still apply).
 */
export class RedisSingleFlight {
  constructor(
    private readonly redis: SharedRedis,
    private readonly timing: SingleFlightTiming,
    private readonly clock: Clock,
  ) {}

  async run<T extends { result: PhoneVerificationResult }>(
    key: string,
    work: () => Promise<T>,
    shareable: (value: T) => T,
  ): Promise<SingleFlightOutcome<T>> {
    const lease = this.redis.key('flight', key);
    const giveUpAt = this.clock.now() + this.timing.maxWaitMs;
    for (;;) {
      const token = randomUUID();
      const sentAt = this.clock.now();
      const taken = await this.redis.attempt(() =>
        this.redis.client.set(lease, token, 'PX', this.timing.leaseMs, 'NX'),
      );
      const answeredAt = this.clock.now();
      if (taken === undefined) return { value: await work(), shared: false };
      if (taken === 'OK') {
        if (answeredAt - sentAt <= this.timing.leaseMarginMs) {
          return { value: await this.lead(lease, token, work), shared: false };
        }
        // Taken too late: it could lapse while we call. Give it back, retry.
        await this.release(lease, token, false);
        continue;
      }
      // The lease existed when our SET ran, so it ends by then + its lifetime.
      const end = await this.follow(
        lease,
        answeredAt + this.timing.leaseMs,
        giveUpAt,
      );
      if (end === 'take-over') continue;
      if (end === 'on-our-own') return { value: await work(), shared: false };
      if ('error' in end) throw new SharedVerificationError(end.error);
      return { value: shareable({ result: end.result } as T), shared: true };
    }
  }

  private async lead<T extends { result: PhoneVerificationResult }>(
    lease: string,
    token: string,
    work: () => Promise<T>,
  ): Promise<T> {
    let left = false;
    try {
      const value = await work();
      left = await this.leave(token, { result: value.result });
      return value;
    } catch (error) {
      // Always leave an answer, so waiters need not wait out the lease.
      const failure =
        error instanceof PhoneVerificationError
          ? error
          : new UpstreamUnavailableError();
      left = await this.leave(token, {
        error: {
          code: failure.code,
          message: failure.message,
          httpStatus: failure.httpStatus,
          traceId: failure.traceId,
          retryable: failure.retryable,
          mayHaveBilled: mayHaveBilled(error),
        },
      });
      throw error;
    } finally {
      await this.release(lease, token, left);
    }
  }

  /** Ends our lease: marked released when an answer was left, else deleted. */
  private async release(
    lease: string,
    token: string,
    answered: boolean,
  ): Promise<void> {
    await this.redis.attempt(() =>
      this.redis.client.eval(
        RELEASE_LEASE,
        1,
        lease,
        token,
        answered ? `${DONE}${token}` : '',
        RELEASED_LEASE_TTL_MS,
      ),
    );
  }

  /** Leaves the answer for the waiters; false when Redis did not take it. */
  private async leave(token: string, answer: SharedAnswer): Promise<boolean> {
    const stored = await this.redis.attempt(() =>
      this.redis.client.set(
        this.redis.key('answer', token),
        JSON.stringify(answer),
        'PX',
        ANSWER_TTL_MS,
      ),
    );
    return stored !== undefined;
  }

  /**
   * Waits for the leader's answer. `take-over` once the lease is gone and its
   * leader cannot be calling any more; `on-our-own` when Redis stayed away
   * past that moment.
   */
  private async follow(
    lease: string,
    leaderDoneBy: number,
    giveUpAt: number,
  ): Promise<WaitEnd> {
    const { client } = this.redis;
    let token: string | undefined;
    for (;;) {
      if (token !== undefined) {
        const text = await this.redis.attempt(() =>
          client.get(this.redis.key('answer', token!)),
        );
        if (text) return JSON.parse(text) as SharedAnswer;
      }
      const state = (await this.redis.attempt(() =>
        client.eval(LEASE_STATE, 1, lease),
      )) as [string | null, number] | undefined;
      const now = this.clock.now();
      if (state !== undefined) {
        const [holder, ttlMs] = state;
        const done = holder?.startsWith(DONE) === true;
        const holderToken = done ? holder!.slice(DONE.length) : holder;
        if (holderToken !== null && holderToken !== token) {
          // A (new) leader: it cannot be calling after its lease's expiry.
          token = holderToken;
          if (done) leaderDoneBy = now;
          else leaderDoneBy = now + (ttlMs > 0 ? ttlMs : this.timing.leaseMs);
          continue;
        }
        // Gone (released, or early: evicted, flushed, a restart): take over
        // once its leader cannot be calling. A released lease whose answer
        // is missing is waited out until its marker expires.
        if (holder === null && now >= leaderDoneBy) return 'take-over';
      } else if (now >= leaderDoneBy) {
        return 'on-our-own';
      }
      if (now >= giveUpAt) {
        // The leader is alive but slower than any call may be: stop waiting.
        throw new UpstreamUnavailableError();
      }
      await this.clock.sleep(this.timing.pollMs);
    }
  }
}
