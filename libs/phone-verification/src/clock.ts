/**
 * Where the library reads the time and waits (token
 * `PHONE_VERIFICATION_CLOCK`): retry backoff, cache expiry, budgets' days,
 * single flight's polling and latencies all go through it, so a test can
 * run them in virtual time (`VirtualClock` from the testing entry).
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
