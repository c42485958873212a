/** The sandbox's pending timers, so closing it leaves nothing running. */
export class SandboxTimers {
  private readonly timers = new Set<NodeJS.Timeout>();

  /** Runs `fn` after `ms` (at once when `ms` ≤ 0). */
  later(fn: () => void, ms: number): void {
    if (ms <= 0) return fn();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  /** Cancels every pending timer. */
  clear(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
