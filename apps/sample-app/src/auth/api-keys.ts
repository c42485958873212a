import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
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
   * `callerId` names the key without revealing it (an HMAC under the
   * ledger's secret, so a leaked board or CSV cannot be matched against
   * guessed keys offline); `role` says which kind of key it is.
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
  private readonly keyDigests: {
    digest: Buffer;
    role: KeyRole;
    callerId: string;
  }[];
  private readonly seen = new WeakMap<object, Authentication>();
  /** Caller id → the name its key was given. */
  private readonly names = new Map<string, string>();
  /** A name → its caller id. */
  private readonly idsByName = new Map<string, string>();

  constructor(@Inject(SAMPLE_APP_CONFIG) config: SampleAppConfig) {
    // A key of its own for caller ids, derived from the ledger's secret.
    const secret = config.acedata.ledger?.secret;
    if (!secret)
      throw new Error('unreachable: the sample app always has a ledger');
    const idKey = createHmac('sha256', secret)
      .update('sample-app caller id')
      .digest();
    const known = (key: string, role: KeyRole) => ({
      digest: digest(key),
      role,
      callerId: createHmac('sha256', idKey)
        .update(key)
        .digest('hex')
        .slice(0, 32),
    });
    this.keyDigests = [
      ...config.apiKeys.map((key) => known(key, 'caller')),
      ...config.operatorKeys.map((key) => known(key, 'operator')),
      ...config.metricsKeys.map((key) => known(key, 'metrics')),
    ];
    for (const [key, name] of config.callerNames ?? []) {
      const { callerId } = known(key, 'caller');
      this.names.set(callerId, name);
      this.idsByName.set(name, callerId);
    }
  }

  /** The name a caller key was given (`name=key`), by its caller id; none for an unnamed key. */
  nameOf(callerId: string): string | undefined {
    return this.names.get(callerId);
  }

  /** The caller id an operator means: a caller's name becomes its id; anything else is taken as an id (none: none). */
  callerIdOf(nameOrId: string): string;
  callerIdOf(nameOrId: string | undefined): string | undefined;
  callerIdOf(nameOrId: string | undefined): string | undefined {
    if (nameOrId === undefined) return undefined;
    return this.idsByName.get(nameOrId) ?? nameOrId;
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
    let found: (typeof this.keyDigests)[number] | undefined;
    for (const known of this.keyDigests) {
      if (timingSafeEqual(presented, known.digest)) found = known;
    }
    return found
      ? { kind: 'valid', callerId: found.callerId, role: found.role }
      : { kind: 'invalid' };
  }
}
