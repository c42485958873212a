/** Where the library reads the time; overridable (token `PHONE_VERIFICATION_CLOCK`) for tests. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };
