import { Logger } from '@nestjs/common';
import type { RedisClientLike } from './redis-client.js';

/**
 * The shared store's state: `up` (in use), `degraded` (connected, but a
 * command failed: a stall, `OOM`, `LOADING`, `BUSY`; probed until it
 * answers) or `down` (no connection; ioredis reconnects).
 */
export type SharedStoreState = 'up' | 'degraded' | 'down';

/**
 * Why a store is not up, in a word safe to log and show: the error Redis
 * answered with (`MOVED`, `CROSSSLOT`, `NOAUTH`, `READONLY`, `CLUSTERDOWN`,
 * `OOM`, `LOADING`…), a socket's code (`ECONNREFUSED`…), `timeout`, or
 * ioredis's `sentinels unreachable` and `connection closed`. Never the rest
 * of the message (it can name keys and addresses).
 */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]{2,20}$/.test(code)) return code;
  const word = /^([A-Z][A-Z_]{1,20})\b/.exec(message)?.[1];
  if (word && word !== 'ERR') return word;
  if (/did not answer|timed out|deadline/i.test(message)) return 'timeout';
  if (/cluster node/i.test(message)) return 'a Cluster node given as REDIS_URL';
  if (message.startsWith('All sentinels are unreachable')) {
    return 'sentinels unreachable';
  }
  if (message.startsWith('Connection is closed')) return 'connection closed';
  return 'error';
}

/** How availability is probed. */
export interface AvailabilityProbe {
  /** One write with a short expiry, under its own deadline: resolves when Redis took it. */
  readonly run: () => Promise<unknown>;
  /** Time between probes while not up. */
  readonly intervalMs: number;
}

/**
 * Whether Redis is usable right now. A failed command marks it degraded, not
 * gone: while it is not up, a probe (a small write, so `OOM` keeps it
 * degraded) runs on a short timer, one at a time, and the first that
 * succeeds brings it back, whatever the socket did (a stall keeps it
 * connected, so no `ready` event would come). A new connection is probed
 * the same way before it counts as up. Each change is logged once and
 * counted, and recovery listeners run (budgets catch up then).
 */
export class RedisAvailability {
  private readonly logger = new Logger('PhoneVerificationRedis');
  private current: SharedStoreState;
  private fallbacks = 0;
  private probing = false;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private why?: string;
  /** Up at least once since start. */
  private wasUp = false;
  /** Whether a store never up since start was reported. */
  private saidAtStart = false;
  private readonly recoveryListeners: Array<() => void> = [];

  constructor(
    private readonly client: RedisClientLike,
    private readonly probe: AvailabilityProbe,
    /** An error the connection met before this tracker existed: why it is not up yet. */
    earlierError?: unknown,
  ) {
    this.current = client.status === 'ready' ? 'up' : 'down';
    this.wasUp = this.current === 'up';
    if (this.current !== 'up' && earlierError !== undefined) {
      this.why = reasonOf(earlierError);
      this.saidAtStart = true;
      this.warn('down');
    }
    client.on('ready', () => this.probeSoon(0));
    client.on('end', () => this.lost('down'));
    client.on('close', () => this.lost('down'));
    client.on('error', (error) => {
      this.why = reasonOf(error);
      // An error answered on a live connection is not a lost connection.
      this.lost(client.status === 'ready' ? 'degraded' : 'down');
    });
    if (this.current !== 'up') this.probeSoon(this.probe.intervalMs);
  }

  /** True while commands can be sent. */
  isUp(): boolean {
    return this.current === 'up' && this.client.status === 'ready';
  }

  /** Up, degraded (connected, probing) or down (reconnecting). */
  state(): SharedStoreState {
    if (this.current === 'up' && this.client.status !== 'ready') return 'down';
    return this.current;
  }

  /** How many times the shared store was found unavailable since start. */
  fallbackCount(): number {
    return this.fallbacks;
  }

  /** Why it is not up (see {@link reasonOf}); none while up. */
  reason(): string | undefined {
    return this.state() === 'up' ? undefined : (this.why ?? 'not connected');
  }

  /** Records that a command failed: degraded until a probe succeeds. */
  failed(error?: unknown): void {
    if (error !== undefined) this.why = reasonOf(error);
    this.lost(this.client.status === 'ready' ? 'degraded' : 'down');
  }

  /** Runs `listener` each time the store comes back. */
  onRecovered(listener: () => void): void {
    this.recoveryListeners.push(listener);
  }

  /** Stops probing (at shutdown). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private lost(state: 'degraded' | 'down'): void {
    if (this.current !== 'up') {
      if (state === 'down') this.current = 'down';
      // Never up since start: said once, with the first reason known.
      if (!this.wasUp && !this.saidAtStart && this.why) {
        this.saidAtStart = true;
        this.warn(state);
      }
      return;
    }
    this.current = state;
    this.fallbacks++;
    this.warn(state);
    this.probeSoon(this.probe.intervalMs);
  }

  private warn(state: 'degraded' | 'down'): void {
    const why = this.why ?? 'no reason given';
    const what =
      state === 'down'
        ? `unreachable (${why})`
        : why === 'timeout'
          ? 'not answering (timeout)'
          : `answering with errors (${why})`;
    this.logger.warn(
      `Redis is ${what}: cache shared no more, single flight per instance, budgets (if set) refuse billed calls or count them here until it answers again`,
    );
  }

  private probeSoon(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.probeOnce(), delayMs);
    this.timer.unref();
  }

  private async probeOnce(): Promise<void> {
    if (this.stopped || this.probing) return;
    if (this.client.status !== 'ready') {
      // Not connected: ioredis reconnects and says `ready`.
      if (this.current !== 'up') this.probeSoon(this.probe.intervalMs);
      return;
    }
    this.probing = true;
    let ok = false;
    try {
      await this.probe.run();
      ok = true;
    } catch (error) {
      this.why = reasonOf(error);
      if (this.current !== 'up') this.lost('degraded');
      ok = false;
    } finally {
      this.probing = false;
    }
    if (ok) this.recovered();
    else {
      if (this.current === 'up') this.failed();
      this.probeSoon(this.probe.intervalMs);
    }
  }

  private recovered(): void {
    if (this.current === 'up') return;
    this.current = 'up';
    this.wasUp = true;
    this.why = undefined;
    this.logger.log(
      'Redis answers again: cache, single flight and budgets are shared again',
    );
    for (const listener of this.recoveryListeners) listener();
  }
}
