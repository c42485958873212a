/** A Redis command that got no reply within its deadline. */
export class RedisCommandTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`Redis did not answer within ${timeoutMs} ms`);
    this.name = 'RedisCommandTimeoutError';
  }
}

/** How often a deadline looks at the clock. */
const TICK_MS = 50;

/**
 * Settles as `command` does, or rejects with `RedisCommandTimeoutError` once
 * Redis has had `timeoutMs` to answer **while this process could have read
 * the answer**. A plain timer (ioredis's `commandTimeout`) also fires when
 * our own event loop was busy: the reply sits unread in the socket while the
 * late timer runs first, and a replica that was busy for a second concludes
 * that Redis is down. Here time is counted in short ticks, and a tick that
 * came late counts for no more than two ticks' worth; the final verdict waits
 * one turn of the loop (`setImmediate`, after the poll phase) so a reply
 * already received is read first.
 */
export function withinDeadline<T>(
  command: Promise<T>,
  timeoutMs: number,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let left = timeoutMs;
    let last = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const settle = (done: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done();
    };
    const tick = () => {
      const now = performance.now();
      left -= Math.min(now - last, 2 * TICK_MS);
      last = now;
      if (left > 0) {
        timer = setTimeout(tick, Math.min(TICK_MS, left));
        return;
      }
      setImmediate(() =>
        settle(() => reject(new RedisCommandTimeoutError(timeoutMs))),
      );
    };
    timer = setTimeout(tick, Math.min(TICK_MS, timeoutMs));
    command.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}
