import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  SAMPLE_APP_CONFIG,
  type SampleAppConfig,
} from '../sample-app.config.js';

/** What a request's `Authorization` header amounted to. */
export type Authentication =
  | { readonly kind: 'missing' }
  | { readonly kind: 'invalid' }
  /**
   * `callerId` names the key without revealing it (a digest prefix); `role`
   * says whether it is a caller key or an operator key.
   */
  | {
      readonly kind: 'valid';
      readonly callerId: string;
      readonly role: KeyRole;
    };

/** Caller keys verify; operator keys read the ledger; metrics keys read `/metrics` only. */
export type KeyRole = 'caller' | 'operator' | 'metrics';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * The caller keys (`SAMPLE_APP_API_KEYS`), the operator keys
 * (`SAMPLE_APP_OPERATOR_KEYS`), the metrics keys (`SAMPLE_APP_METRICS_KEYS`),
 * and the one way a request is checked against
 * them, shared by the throttler (which runs first) and the
 * auth guard, so both see the same caller however `Bearer` is spelled. Keys
 * are compared as SHA-256 digests with `timingSafeEqual`, every key every
 * time, so neither a key's content nor its length leaks through timing.
 */
@Injectable()
export class ApiKeys {
  private readonly keyDigests: { digest: Buffer; role: KeyRole }[];
  private readonly seen = new WeakMap<object, Authentication>();

  constructor(@Inject(SAMPLE_APP_CONFIG) config: SampleAppConfig) {
    this.keyDigests = [
      ...config.apiKeys.map((key) => ({
        digest: digest(key),
        role: 'caller' as const,
      })),
      ...config.operatorKeys.map((key) => ({
        digest: digest(key),
        role: 'operator' as const,
      })),
      ...config.metricsKeys.map((key) => ({
        digest: digest(key),
        role: 'metrics' as const,
      })),
    ];
  }

  /** Checks the request's bearer key, once per request. */
  authenticate(req: { headers?: Record<string, unknown> }): Authentication {
    const known = this.seen.get(req);
    if (known) return known;
    const outcome = this.check(req.headers?.authorization);
    this.seen.set(req, outcome);
    return outcome;
  }

  private check(header: unknown): Authentication {
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!match) return { kind: 'missing' };
    const presented = digest(match[1]);
    let role: KeyRole | undefined;
    for (const known of this.keyDigests) {
      if (timingSafeEqual(presented, known.digest)) role = known.role;
    }
    return role
      ? {
          kind: 'valid',
          callerId: presented.toString('hex').slice(0, 32),
          role,
        }
      : { kind: 'invalid' };
  }
}
