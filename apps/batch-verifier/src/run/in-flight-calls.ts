/**
 * The batch's calls in flight, bounded by the concurrency. The first
 * unexpected failure (not an answer, not a library error) is kept, so the
 * run stops taking rows and rethrows it once the others are done, instead
 * of it becoming an unhandled rejection.
 */
export class InFlightCalls {
  private readonly pending = new Set<Promise<unknown>>();
  private failed?: { error: unknown };

  constructor(private readonly concurrency: number) {}

  /** Whether a call failed unexpectedly. */
  get failure(): { error: unknown } | undefined {
    return this.failed;
  }

  /** Follows `promise` until it settles. */
  track(promise: Promise<unknown>): void {
    this.pending.add(promise);
    promise.then(
      () => this.pending.delete(promise),
      (error: unknown) => {
        this.pending.delete(promise);
        this.failed ??= { error };
      },
    );
  }

  /** Records a failure met outside a call (writing a row without one). */
  fail(error: unknown): void {
    this.failed ??= { error };
  }

  /** Resolves once fewer than `concurrency` calls are in flight. */
  async room(): Promise<void> {
    while (this.pending.size >= this.concurrency)
      await Promise.race(this.pending).catch(() => undefined);
  }

  /** Waits for every call, then rethrows the first unexpected failure. */
  async drain(): Promise<void> {
    await Promise.allSettled(this.pending);
    if (this.failed) throw this.failed.error;
  }
}
