/**
 * Reads `read` until `done` says so or `forMs` has passed, `everyMs` apart,
 * and gives the last value read, for the assertion that follows to show.
 * Against a store that vacuums at quiet moments, `everyMs` longer than its
 * quiet period leaves it quiet between reads.
 */
export async function readUntil<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  { everyMs, forMs }: { everyMs: number; forMs: number },
): Promise<T> {
  const deadline = Date.now() + forMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((later) => setTimeout(later, everyMs));
    value = await read();
  }
  return value;
}

/**
 * Whether `condition` holds within `forMs`, looked at `everyMs` apart (the
 * last look's answer, for an `expect(...).toBe(true)` to show).
 */
export function until(
  condition: () => boolean | Promise<boolean>,
  bounds: { everyMs: number; forMs: number },
): Promise<boolean> {
  return readUntil(condition, (holds) => holds, bounds);
}
