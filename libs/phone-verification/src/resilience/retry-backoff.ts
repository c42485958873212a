import type {
  IBackoff,
  IBackoffFactory,
  IRetryBackoffContext,
} from 'cockatiel';
import { UpstreamRateLimitedError } from '../errors/upstream-api.errors.js';
import type { Clock } from './clock.js';

/** How retries are spaced and bounded. */
export interface RetryBackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Never wait longer than this for a `Retry-After`; give up instead. */
  maxRetryAfterMs: number;
  /** The absolute time (ms since epoch) after which no attempt starts. */
  deadlineAt: number;
  clock: Clock;
  random?: () => number;
}

/**
 * Set when the next attempt would start past the deadline, or AceData asked
 * us to wait longer than we are willing to: the retry loop must stop.
 */
export interface GiveUpSignal {
  giveUp: boolean;
}

/**
 * Exponential backoff with full jitter (a uniformly random delay up to
 * base·2^n, capped), replaced by the upstream's `Retry-After` when it sent
 * one. It never schedules an attempt past the deadline: it raises the
 * give-up flag instead, which the attempt function honours.
 */
export class RetryBackoff implements IBackoffFactory<
  IRetryBackoffContext<unknown>
> {
  constructor(
    private readonly options: RetryBackoffOptions,
    private readonly signal: GiveUpSignal,
    private readonly attempt = 0,
  ) {}

  next(
    context: IRetryBackoffContext<unknown>,
  ): IBackoff<IRetryBackoffContext<unknown>> {
    const { baseDelayMs, maxDelayMs, maxRetryAfterMs, deadlineAt, clock } =
      this.options;
    const random = this.options.random ?? Math.random;
    const error = 'error' in context.result ? context.result.error : undefined;
    let duration: number;
    if (
      error instanceof UpstreamRateLimitedError &&
      error.retryAfterMs !== undefined
    ) {
      duration = error.retryAfterMs;
      if (duration > maxRetryAfterMs) this.signal.giveUp = true;
    } else {
      const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** this.attempt);
      duration = Math.round(random() * ceiling);
    }
    if (clock.now() + duration >= deadlineAt) this.signal.giveUp = true;
    const nextFactory = new RetryBackoff(
      this.options,
      this.signal,
      this.attempt + 1,
    );
    return {
      duration: this.signal.giveUp ? 0 : duration,
      next: (ctx) => nextFactory.next(ctx),
    };
  }
}
