import type { Clock } from '../clock.js';

/**
 * Spaces this instance's upstream calls evenly at `callsPerSecond`. It keeps
 * a cadence (a timer that fires a little late does not push every later call
 * back, so N calls take N / rate seconds), but after a stall longer than one
 * slot it restarts the cadence from now instead of catching up in a burst.
 * (p-throttle's strict mode, tried first in the batch, catches up: after a
 * stall its late timers fired together and 22 calls landed in one second at
 * a rate of 20.) A 429's `Retry-After` holds every later slot back.
 */
export class UpstreamPacer {
  private next = 0;
  private readonly spacingMs: number;

  constructor(
    callsPerSecond: number,
    private readonly clock: Clock,
  ) {
    this.spacingMs = 1000 / callsPerSecond;
  }

  /**
   * Books the next slot and says how long until it, or books nothing and
   * answers `undefined` when that slot would start at or after `notAfter`.
   */
  book(notAfter = Infinity): number | undefined {
    const now = this.clock.now();
    // The cadence's point, unless a stall broke the cadence.
    const cadence = now - this.next > this.spacingMs ? now : this.next;
    const start = Math.max(now, cadence);
    if (start >= notAfter) return undefined;
    this.next = cadence + this.spacingMs;
    return start - now;
  }

  /**
   * Waits for the next slot and books it; `false`, at once and booking
   * nothing, when that slot would start at or after `notAfter`.
   */
  async slot(notAfter = Infinity): Promise<boolean> {
    const wait = this.book(notAfter);
    if (wait === undefined) return false;
    if (wait > 0) await this.clock.sleep(wait);
    return true;
  }

  /** No slot starts before `ms` from now: the upstream asked everyone to wait. */
  holdFor(ms: number): void {
    this.next = Math.max(this.next, this.clock.now() + ms);
  }
}
