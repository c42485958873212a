/**
 * Spaces calls evenly, at least `1000 / rate` ms apart *by the time they
 * actually start*, so no one-second window ever holds more than `rate` + 1
 * starts, even when the event loop stalls. (p-throttle's strict mode, tried
 * first, schedules its slots ahead of time: after a stall, late timers fire
 * together and 22 calls landed in one second at a rate of 20.)
 */
export class Pacer {
  private next = 0;
  private readonly spacingMs: number;

  constructor(rate: number) {
    // 2 % wider than 1 / rate: a little jitter between starting a call and
    // its arrival upstream must not make two calls land in one slot.
    this.spacingMs = (1000 / rate) * 1.02;
  }

  /** Resolves when the next call may start, and books that start. */
  async slot(): Promise<void> {
    for (;;) {
      const now = performance.now();
      if (now >= this.next) {
        this.next = now + this.spacingMs;
        return;
      }
      await new Promise((r) => setTimeout(r, this.next - now));
    }
  }
}
