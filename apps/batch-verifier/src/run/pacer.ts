import type { Clock } from '@app/phone-verification';

/** Time that never jumps with the wall clock. */
const monotonicClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Spaces calls evenly at `rate` per second. It keeps a cadence (a timer that
 * fires a little late does not push every later call back, so N calls take
 * N / rate seconds), but after a stall longer than one slot it restarts the
 * cadence from now instead of catching up in a burst. (p-throttle's strict
 * mode, tried first, catches up: after a stall its late timers fired
 * together and 22 calls landed in one second at a rate of 20.)
 */
export class Pacer {
  private next = 0;
  private readonly spacingMs: number;

  /** `clock` defaults to a monotonic one; a test gives a virtual one. */
  constructor(
    rate: number,
    private readonly clock: Clock = monotonicClock,
  ) {
    this.spacingMs = 1000 / rate;
  }

  /** Resolves when the next call may start, and books that start. */
  async slot(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      if (now >= this.next) {
        const stalled = now - this.next > this.spacingMs;
        this.next = (stalled ? now : this.next) + this.spacingMs;
        return;
      }
      await this.clock.sleep(this.next - now);
    }
  }
}
