import { DEFAULT_BASE_URL } from '@app/phone-verification';
import { Inject, Injectable } from '@nestjs/common';
import {
  HttpHealthIndicator,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import {
  SAMPLE_APP_CONFIG,
  type SampleAppConfig,
} from '../sample-app.config.js';

/** An answer is reused this long after it came. */
const FRESH_MS = 5_000;
const PROBE_TIMEOUT_MS = 2_000;

/**
 * Whether AceData (or the sandbox) answers HTTP, for readiness: terminus's
 * `pingCheck` on the origin (no token, no subject data, nothing billed; any
 * HTTP answer counts). At most one probe is in flight, whatever the number
 * of readiness requests, and its answer is reused for 5 s: 500 concurrent
 * probes made 500 outbound connections, and a slow upstream turned them
 * into a flapping readiness.
 */
@Injectable()
export class UpstreamReachability {
  private readonly origin: string;
  private probe?: Promise<HealthIndicatorResult<'acedata'>>;
  /** Until when `probe` is reused: for ever while it is in flight. */
  private reuseUntil = 0;

  constructor(
    private readonly http: HttpHealthIndicator,
    @Inject(SAMPLE_APP_CONFIG) { acedata }: SampleAppConfig,
  ) {
    this.origin = new URL(acedata.baseUrl ?? DEFAULT_BASE_URL).origin;
  }

  check(): Promise<HealthIndicatorResult<'acedata'>> {
    if (this.probe && Date.now() < this.reuseUntil) return this.probe;
    this.reuseUntil = Infinity;
    this.probe = this.http
      .pingCheck('acedata', this.origin, {
        timeout: PROBE_TIMEOUT_MS,
        validateStatus: () => true,
        maxRedirects: 0,
      })
      .finally(() => {
        this.reuseUntil = Date.now() + FRESH_MS;
      });
    return this.probe;
  }
}
