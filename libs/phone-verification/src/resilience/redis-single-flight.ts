import { randomUUID } from 'node:crypto';
import type { PhoneVerificationResult } from '../dto/phone-verification-result.js';
import {
  PhoneVerificationError,
  type PhoneVerificationErrorCode,
} from '../errors/phone-verification.error.js';
import { UpstreamUnavailableError } from '../errors/upstream-unavailable.error.js';
import type { Clock } from '../clock.js';
import type { SharedRedis } from '../shared-store/shared-redis.js';
import { RELEASE_LEASE, RENEW_LEASE } from '../shared-store/redis-scripts.js';

/** How the single flight across instances is timed. */
export interface SingleFlightTiming {
  /** A leader's lease; renewed while its call runs, so it lapses only if it dies. */
  readonly leaseMs: number;
  /** How often a waiting instance looks for the answer. */
  readonly pollMs: number;
  /** How long an instance waits for another's answer before giving up. */
  readonly maxWaitMs: number;
}

/** What the leader leaves for the instances waiting on it. */
type SharedAnswer =
  | { readonly result: PhoneVerificationResult }
  | {
      readonly error: {
        readonly code: PhoneVerificationErrorCode;
        readonly message: string;
        readonly httpStatus?: number;
        readonly traceId?: string;
        readonly retryable: boolean;
        readonly mayHaveBilled: boolean;
      };
    };

/**
 * The error another instance's call ended with, passed on to the instances
 * that waited for it: same code, status, trace id and flags.
 */
export class SharedVerificationError extends PhoneVerificationError {
  readonly code: PhoneVerificationErrorCode;
  constructor(error: Extract<SharedAnswer, { error: unknown }>['error']) {
    super(error.message, error);
    this.code = error.code;
  }
}

const ANSWER_TTL_MS = 60_000;

/** The outcome of `run`: the answer, and whether another instance paid for it. */
export interface SingleFlightOutcome<T> {
  readonly value: T;
  readonly shared: boolean;
}

/**
 * One upstream call per identity across every instance on one Redis. The
 * first instance takes a lease (`SET NX PX`, renewed while its call runs)
 * and leaves its answer under the lease's token; the others poll for that
 * answer. If the leader dies, its lease lapses and one waiter takes over
 * (the dead leader's call may still have been billed). While Redis is away,
 * each instance calls for itself (the in-process dedupe still applies).
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
      const taken = await this.redis.attempt(() =>
        this.redis.client.set(lease, token, 'PX', this.timing.leaseMs, 'NX'),
      );
      if (taken === undefined) return { value: await work(), shared: false };
      if (taken === 'OK') {
        return { value: await this.lead(lease, token, work), shared: false };
      }
      const answer = await this.awaitLeader(lease, giveUpAt);
      if (answer === 'take-over') continue;
      // Redis went away while waiting: answer for ourselves, as when it is down.
      if (answer === 'redis-down')
        return { value: await work(), shared: false };
      if ('error' in answer) throw new SharedVerificationError(answer.error);
      return { value: shareable({ result: answer.result } as T), shared: true };
    }
  }

  private async lead<T extends { result: PhoneVerificationResult }>(
    lease: string,
    token: string,
    work: () => Promise<T>,
  ): Promise<T> {
    const { client } = this.redis;
    const renew = setInterval(() => {
      void this.redis.attempt(() =>
        client.eval(RENEW_LEASE, 1, lease, token, this.timing.leaseMs),
      );
    }, this.timing.leaseMs / 3);
    renew.unref();
    try {
      const value = await work();
      await this.leave(token, { result: value.result });
      return value;
    } catch (error) {
      if (error instanceof PhoneVerificationError) {
        await this.leave(token, {
          error: {
            code: error.code,
            message: error.message,
            httpStatus: error.httpStatus,
            traceId: error.traceId,
            retryable: error.retryable,
            mayHaveBilled: error.mayHaveBilled,
          },
        });
      }
      throw error;
    } finally {
      clearInterval(renew);
      await this.redis.attempt(() =>
        client.eval(RELEASE_LEASE, 1, lease, token),
      );
    }
  }

  private async leave(token: string, answer: SharedAnswer): Promise<void> {
    await this.redis.attempt(() =>
      this.redis.client.set(
        this.redis.key('answer', token),
        JSON.stringify(answer),
        'PX',
        ANSWER_TTL_MS,
      ),
    );
  }

  /** Polls for the leader's answer; `take-over` when its lease lapsed without one. */
  private async awaitLeader(
    lease: string,
    giveUpAt: number,
  ): Promise<SharedAnswer | 'take-over' | 'redis-down'> {
    const { client } = this.redis;
    const token = await this.redis.attempt(() => client.get(lease));
    if (token === undefined) return 'redis-down';
    if (token === null) return 'take-over';
    const answerKey = this.redis.key('answer', token);
    while (this.clock.now() < giveUpAt) {
      const text = await this.redis.attempt(() => client.get(answerKey));
      if (text === undefined) return 'redis-down';
      if (text !== null) return JSON.parse(text) as SharedAnswer;
      const holder = await this.redis.attempt(() => client.get(lease));
      if (holder === undefined) return 'redis-down';
      if (holder !== token) {
        // Released or lapsed: the answer may have landed just before.
        const late = await this.redis.attempt(() => client.get(answerKey));
        return late ? (JSON.parse(late) as SharedAnswer) : 'take-over';
      }
      await this.clock.sleep(this.timing.pollMs);
    }
    // The leader is alive but slower than any call may be: stop waiting.
    throw new UpstreamUnavailableError();
  }
}
