/**
 * Lets concurrent calls with the same key share one execution: the first
 * runs it, the others await the same promise. The entry is gone as soon as
 * it settles, so nothing is remembered (that is the cache's job).
 */
export class InFlightDedupe<T> {
  private readonly inFlight = new Map<string, Promise<T>>();

  /** Runs `work`, or joins the run already in flight for `key`. */
  run(
    key: string,
    work: () => Promise<T>,
  ): { promise: Promise<T>; shared: boolean } {
    const existing = this.inFlight.get(key);
    if (existing) return { promise: existing, shared: true };
    const promise = work().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return { promise, shared: false };
  }
}
