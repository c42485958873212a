import { pino } from 'pino';

/** Where the app's JSON lines go: stdout, written asynchronously by sonic-boom. */
export type LogDestination = ReturnType<typeof pino.destination>;

/** Stdout, without blocking the event loop on a slow reader. */
export function stdoutDestination(): LogDestination {
  return pino.destination({ dest: 1, sync: false });
}

/** Whether sonic-boom still has a write in progress (it has no public getter). */
const writing = (destination: LogDestination): boolean =>
  // oxlint-disable-next-line no-underscore-dangle -- sonic-boom's own field, read only
  (destination as unknown as { _writing?: boolean })._writing === true;

/**
 * Lets the write in progress end, or fail (a closed stdout), for up to
 * `waitMs`, then makes sure the flush pino runs on `exit` cannot hold the
 * process: sonic-boom's `flushSync` retries a failed write every 100 ms for
 * ever, EPIPE included, so an app whose stdout reader had gone (`npm start |
 * tee log`, with `tee` killed by the same Ctrl-C) never exited. What could
 * not be written by then is dropped: logging must never block a shutdown.
 */
export async function releaseForExit(
  destination: LogDestination,
  waitMs = 1_000,
): Promise<void> {
  const until = Date.now() + waitMs;
  while (writing(destination) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // Not writing means nothing is buffered (a line is written as it comes).
  destination.flushSync = () => undefined;
}
