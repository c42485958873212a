import { Logger } from '@nestjs/common';
import type { RedisClientLike } from './redis-client.js';

/**
 * The shared store's state: `up` (in use), `degraded` (connected, but a
 * command failed: a stall, `OOM`, `LOADING`, `BUSY`; probed until it
 * answers) or `down` (no connection; ioredis reconnects).
 */
export type SharedStoreState = 'up' | 'degraded' | 'down';

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
  private readonly recoveryListeners: Array<() => void> = [];

  constructor(
    private readonly client: RedisClientLike,
    private readonly probe: AvailabilityProbe,
  ) {
    this.current = client.status === 'ready' ? 'up' : 'down';
    client.on('ready', () => this.probeSoon(0));
    client.on('end', () => this.lost('down'));
    client.on('close', () => this.lost('down'));
    client.on('error', () => this.lost('down'));
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

  /** Records that a command failed: degraded until a probe succeeds. */
  failed(): void {
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
      return;
    }
    this.current = state;
    this.fallbacks++;
    this.logger.warn(
      `Redis is ${state === 'down' ? 'unreachable' : 'not answering'}: cache shared no more, single flight per instance, budgets (if set) refuse billed calls or count them here until it answers again`,
    );
    this.probeSoon(this.probe.intervalMs);
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
    } catch {
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
    this.logger.log(
      'Redis answers again: cache, single flight and budgets are shared again',
    );
    for (const listener of this.recoveryListeners) listener();
  }
}
