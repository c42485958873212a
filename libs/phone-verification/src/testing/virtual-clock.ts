import type { Clock } from '../clock.js';

interface Sleeper {
  readonly at: number;
  readonly wake: () => void;
}

/** Lets pending promise callbacks and I/O callbacks run. */
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * A {@link Clock} that only moves when told to: give it to the module
 * (`overrideProvider(PHONE_VERIFICATION_CLOCK).useValue(clock)`) or to a
 * part, and retries, backoffs, cache expiry and budget days run in virtual
 * time, without real sleeps.
 */
export class VirtualClock implements Clock {
  private time: number;
  private sleepers: Sleeper[] = [];

  /** Starts at `start` (ms since the epoch), by default 2026-01-01T00:00Z. */
  constructor(start: number = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((wake) => {
      this.sleepers.push({ at: this.time + Math.max(0, ms), wake });
      this.sleepers.sort((a, b) => a.at - b.at);
    });
  }

  /** The sleeps not yet woken, as durations from now. */
  pendingSleeps(): number[] {
    return this.sleepers.map((s) => s.at - this.time);
  }

  /**
   * Moves time forward by `ms`, waking each sleep that falls due in order and
   * letting what it resumes run before the next one wakes.
   */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await turn();
    while (this.sleepers.length > 0 && this.sleepers[0].at <= target) {
      const sleeper = this.sleepers.shift()!;
      this.time = sleeper.at;
      sleeper.wake();
      await turn();
    }
    this.time = target;
  }

  /**
   * Waits for `promise`, jumping time to each sleep it waits on, so code that
   * backs off for minutes settles at once. Real I/O it waits on (a socket)
   * is awaited for real.
   */
  async settle<T>(promise: Promise<T>): Promise<T> {
    const state = { settled: false };
    const done = promise.finally(() => {
      state.settled = true;
    });
    // Observe a rejection here too; the caller gets it from `done`.
    done.catch(() => undefined);
    for (;;) {
      await turn();
      if (state.settled) break;
      const next = this.sleepers[0];
      if (next) await this.advance(next.at - this.time);
      else await new Promise((r) => setTimeout(r, 1));
    }
    return done;
  }
}
