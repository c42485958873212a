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

  constructor(rate: number) {
    this.spacingMs = 1000 / rate;
  }

  /** Resolves when the next call may start, and books that start. */
  async slot(): Promise<void> {
    for (;;) {
      const now = performance.now();
      if (now >= this.next) {
        const stalled = now - this.next > this.spacingMs;
        this.next = (stalled ? now : this.next) + this.spacingMs;
        return;
      }
      await new Promise((r) => setTimeout(r, this.next - now));
    }
  }
}
