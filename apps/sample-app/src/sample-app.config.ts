import {
  InvalidPhoneVerificationEnvError,
  phoneVerificationOptionsFromEnv,
  type PhoneVerificationModuleOptions,
} from '@app/phone-verification';
import {
  sandboxModeFromEnv,
  SandboxModeError,
  type SandboxMode,
} from '@app/phone-verification/sandbox';

import type { HttpServerLimits } from './http-server/http-server-limits.js';
import {
  ledgerEnvContext,
  loadMetricsKeys,
  loadOperatorKeys,
} from './ledger/ledger.config.js';

/** The documented development key, accepted only in sandbox mode without SAMPLE_APP_API_KEYS. */
export const DEVELOPMENT_API_KEY = 'sandbox-dev-key';

/**
 * Every IPv4 interface, reachable in a container. (Fastify binds only
 * 127.0.0.1 when given no host; Express binds all: now both bind this.)
 */
export const DEFAULT_HOST = '0.0.0.0';

/** The sample app's configuration, validated from the environment. */
export interface SampleAppConfig {
  readonly port: number;
  /** Address to bind: `0.0.0.0` (every IPv4 interface) by default, on both adapters. */
  readonly host: string;
  readonly production: boolean;
  /** True when no AceData token is set: the app runs its own sandbox. */
  readonly sandboxMode: boolean;
  /** The keys callers present as `Authorization: Bearer <key>`. */
  readonly apiKeys: readonly string[];
  /** The names operators know some caller keys by (`name=key`), by key; shown instead of the caller id, never the key. */
  readonly callerNames: ReadonlyMap<string, string>;
  /** True when the keys are the documented development key. */
  readonly usingDevelopmentKey: boolean;
  /** The keys of the operator endpoints (usage, deletion); none: they refuse every key. */
  readonly operatorKeys: readonly string[];
  /** The keys that read `GET /metrics` only (a scraper's). */
  readonly metricsKeys: readonly string[];
  /** Verifications per minute per caller key. */
  readonly rateLimitPerMinute: number;
  /** Sandbox latency (ms), in sandbox mode. */
  readonly sandboxLatencyMs: number;
  /** Failed authentications per client IP per minute, on every route; then 429 for a minute. */
  readonly authFailuresPerIpPerMinute: number;
  /** Verifications per minute per client IP, whatever the key. */
  readonly rateLimitPerIpPerMinute: number;
  /** Origins allowed by CORS; none (CORS off) by default. */
  readonly corsOrigins: readonly string[];
  /** Express's `trust proxy` (hops), so the client IP is right behind a proxy. */
  readonly trustProxy: number;
  readonly logLevel:
    'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /**
   * Serve the API docs (`/docs`, `/docs-json`) to anyone: on in sandbox mode,
   * off otherwise unless `SAMPLE_APP_API_DOCS=on` (a production app need not
   * publish its inventory of endpoints; OWASP API9).
   */
  readonly apiDocs: boolean;
  /** The HTTP platform: Fastify (default, the faster: see BENCHMARKS.md) or Express. */
  readonly adapter: 'express' | 'fastify';
  /** On SIGTERM, how long in-flight requests may take before the app exits anyway. */
  readonly shutdownTimeoutMs: number;
  /** Client timeouts and the connection cap of the HTTP server. */
  readonly http: HttpServerLimits;
  /** What AceData charges per billed call, in CNY, for the board's money figures (`SAMPLE_APP_PRICE_PER_CALL_CNY`); none: calls only. */
  readonly pricePerCallCny?: number;
  /**
   * The library's options, read and validated by the library from the
   * `ACEDATA_*` and `PHONE_VERIFICATION_*` variables. In sandbox mode the
   * token and base URL are the sandbox's, filled in when it starts.
   */
  readonly acedata: PhoneVerificationModuleOptions;
}

/**
 * Injects the app's {@link SampleAppConfig}, with `acedata` as the library
 * was given it (the sandbox's token and URL in sandbox mode).
 */
export const SAMPLE_APP_CONFIG = Symbol('SAMPLE_APP_CONFIG');

/**
 * Thrown at boot when the app's own environment is unusable; names the
 * variable, in the library's format (it is an
 * `InvalidPhoneVerificationEnvError`, so one `catch` serves both).
 */
export class InvalidSampleAppConfigError extends InvalidPhoneVerificationEnvError {
  constructor(variable: string, problem: string) {
    super(variable, problem);
    this.name = 'InvalidSampleAppConfigError';
  }
}

/**
 * `SAMPLE_APP_DAILY_BUDGET_PER_KEY` is gone: the per-key budget has one
 * variable, the library's. Ignoring it would leave keys without the cap
 * their operator set, so it refuses to start, naming the one to use.
 */
function refuseRetiredVariables(env: NodeJS.ProcessEnv): void {
  if (env.SAMPLE_APP_DAILY_BUDGET_PER_KEY?.trim()) {
    throw new InvalidSampleAppConfigError(
      'SAMPLE_APP_DAILY_BUDGET_PER_KEY',
      'is no longer read: set PHONE_VERIFICATION_DAILY_BUDGET_PER_KEY (the same cap, per caller key)',
    );
  }
}

/** `SAMPLE_APP_PRICE_PER_CALL_CNY`: a price in yuan, to the fen (0.01). */
function loadPrice(env: NodeJS.ProcessEnv): { pricePerCallCny?: number } {
  const raw = env.SAMPLE_APP_PRICE_PER_CALL_CNY?.trim();
  if (!raw) return {};
  if (!/^\d{1,6}(\.\d{1,4})?$/.test(raw)) {
    throw new InvalidSampleAppConfigError(
      'SAMPLE_APP_PRICE_PER_CALL_CNY',
      'must be a price in yuan, e.g. 0.35',
    );
  }
  return { pricePerCallCny: Number(raw) };
}

function wholeNumber(
  env: NodeJS.ProcessEnv,
  variable: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidSampleAppConfigError(
      variable,
      `must be a whole number from ${min} to ${max}`,
    );
  }
  return value;
}

/** Stands in for the sandbox's token and URL until it has started. */
const SANDBOX_PLACEHOLDER = {
  apiToken: 'sandbox-placeholder',
  baseUrl: 'http://127.0.0.1',
} as const;

/**
 * Reads and validates the sample app's own environment: `PORT`, `HOST`,
 * `SAMPLE_APP_API_KEYS`, `SAMPLE_APP_RATE_LIMIT_PER_MINUTE`, `NODE_ENV`,
 * `SANDBOX_LATENCY_MS`, `SAMPLE_APP_RATE_LIMIT_PER_IP_PER_MINUTE`,
 * `CORS_ORIGINS`, `TRUST_PROXY_HOPS`, `LOG_LEVEL`, `SAMPLE_APP_ADAPTER`,
 * `SAMPLE_APP_SHUTDOWN_TIMEOUT_MS`, `SAMPLE_APP_HEADERS_TIMEOUT_MS`,
 * `SAMPLE_APP_REQUEST_TIMEOUT_MS`, `SAMPLE_APP_MAX_CONNECTIONS`,
 * `SAMPLE_APP_PRICE_PER_CALL_CNY`. The
 * library reads and validates its own (`ACEDATA_*`, `PHONE_VERIFICATION_*`,
 * see `phoneVerificationOptionsFromEnv`). Without an AceData token the app
 * runs against its own sandbox, except with `NODE_ENV=production`, where a
 * missing token or missing keys refuse to boot.
 */
export function loadSampleAppConfig(env: NodeJS.ProcessEnv): SampleAppConfig {
  refuseRetiredVariables(env);
  const production = env.NODE_ENV === 'production';
  const { sandboxMode, latencyMs } = sandboxModeOf(env);
  const { keys, callerNames } = loadApiKeys(env, sandboxMode);
  const operatorKeys = loadOperatorKeys(env, sandboxMode, keys);
  return {
    port: wholeNumber(env, 'PORT', 3000, 0, 65535),
    host: env.HOST?.trim() || DEFAULT_HOST,
    production,
    sandboxMode,
    apiDocs: loadApiDocs(env, sandboxMode),
    apiKeys: keys.length > 0 ? keys : [DEVELOPMENT_API_KEY],
    callerNames,
    usingDevelopmentKey: keys.length === 0,
    rateLimitPerMinute: wholeNumber(
      env,
      'SAMPLE_APP_RATE_LIMIT_PER_MINUTE',
      120,
      1,
      1_000_000,
    ),
    sandboxLatencyMs: latencyMs,
    authFailuresPerIpPerMinute: wholeNumber(
      env,
      'SAMPLE_APP_AUTH_FAILURES_PER_IP_PER_MINUTE',
      30,
      1,
      1_000_000,
    ),
    rateLimitPerIpPerMinute: wholeNumber(
      env,
      'SAMPLE_APP_RATE_LIMIT_PER_IP_PER_MINUTE',
      600,
      1,
      1_000_000,
    ),
    corsOrigins: loadCorsOrigins(env),
    trustProxy: wholeNumber(env, 'TRUST_PROXY_HOPS', 0, 0, 10),
    logLevel: loadLogLevel(env),
    adapter: loadAdapter(env),
    shutdownTimeoutMs: wholeNumber(
      env,
      'SAMPLE_APP_SHUTDOWN_TIMEOUT_MS',
      10_000,
      0,
      600_000,
    ),
    http: loadHttpServerLimits(env),
    operatorKeys,
    metricsKeys: loadMetricsKeys(env, [...keys, ...operatorKeys]),
    ...loadPrice(env),
    acedata: libraryOptionsFromEnv(env, sandboxMode),
  };
}

/**
 * The library's options from its variables, with the app's ledger (see
 * `ledgerEnvContext`); in sandbox mode a stand-in token and URL until the
 * sandbox has started.
 */
export function libraryOptionsFromEnv(
  env: NodeJS.ProcessEnv,
  sandboxMode: boolean,
): PhoneVerificationModuleOptions {
  return phoneVerificationOptionsFromEnv(
    env,
    sandboxMode ? SANDBOX_PLACEHOLDER : {},
    ledgerEnvContext(env, sandboxMode),
  );
}

/** The sandbox-mode decision every app shares, its errors as the app's own. */
function sandboxModeOf(env: NodeJS.ProcessEnv): SandboxMode {
  try {
    return sandboxModeFromEnv(env);
  } catch (error) {
    if (error instanceof SandboxModeError) {
      throw new InvalidSampleAppConfigError(error.variable, error.problem);
    }
    throw error;
  }
}

/** A caller's name: letters, digits, spaces, `.`, `_`, `-`, 40 at most, starting with a letter or digit. */
const CALLER_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,39}$/u;

const refuseApiKeys = (problem: string) =>
  new InvalidSampleAppConfigError('SAMPLE_APP_API_KEYS', problem);

/**
 * `SAMPLE_APP_API_KEYS`: required outside sandbox mode, comma-separated,
 * each `key` or `name=key` (split at the first `=`; a key ending in `=`
 * padding is a bare key), keys of 12 characters at least, names distinct.
 * No message quotes a key.
 */
function loadApiKeys(
  env: NodeJS.ProcessEnv,
  sandboxMode: boolean,
): { keys: string[]; callerNames: Map<string, string> } {
  const keys: string[] = [];
  const callerNames = new Map<string, string>();
  const entries = (env.SAMPLE_APP_API_KEYS ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  for (const entry of entries) {
    const split = entry.indexOf('=');
    const named = split >= 0 && entry.slice(split + 1).trim().length > 0;
    const key = named ? entry.slice(split + 1).trim() : entry;
    if (named) {
      const name = entry.slice(0, split).trim();
      if (!CALLER_NAME.test(name)) {
        throw refuseApiKeys(
          'names a key with something other than 1 to 40 letters, digits, spaces, . _ or - (name=key)',
        );
      }
      if ([...callerNames.values()].includes(name)) {
        throw refuseApiKeys(
          'gives one name to two keys: names must be distinct',
        );
      }
      callerNames.set(key, name);
    }
    keys.push(key);
  }
  if (keys.length === 0 && !sandboxMode) {
    throw refuseApiKeys(
      'is required (comma-separated caller keys) unless the app runs in sandbox mode',
    );
  }
  if (keys.some((key) => key.length < 12)) {
    throw refuseApiKeys('must hold keys of at least 12 characters');
  }
  return { keys, callerNames };
}

function loadHttpServerLimits(env: NodeJS.ProcessEnv): HttpServerLimits {
  return {
    headersTimeoutMs: wholeNumber(
      env,
      'SAMPLE_APP_HEADERS_TIMEOUT_MS',
      10_000,
      1_000,
      600_000,
    ),
    requestTimeoutMs: wholeNumber(
      env,
      'SAMPLE_APP_REQUEST_TIMEOUT_MS',
      15_000,
      1_000,
      600_000,
    ),
    maxConnections: wholeNumber(
      env,
      'SAMPLE_APP_MAX_CONNECTIONS',
      4_096,
      1,
      1_000_000,
    ),
  };
}

const LOG_LEVELS = [
  'trace',
  'debug',
  'info',
  'warn',
  'error',
  'fatal',
  'silent',
] as const;

function loadLogLevel(env: NodeJS.ProcessEnv): SampleAppConfig['logLevel'] {
  const level = env.LOG_LEVEL?.trim() || 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new InvalidSampleAppConfigError(
      'LOG_LEVEL',
      `must be one of: ${LOG_LEVELS.join(', ')}`,
    );
  }
  return level as SampleAppConfig['logLevel'];
}

function loadCorsOrigins(env: NodeJS.ProcessEnv): string[] {
  const origins = (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
  for (const origin of origins) {
    if (origin === '*' || !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new InvalidSampleAppConfigError(
        'CORS_ORIGINS',
        'must list exact origins such as https://app.example.com (no wildcard)',
      );
    }
  }
  return origins;
}

function loadApiDocs(env: NodeJS.ProcessEnv, sandboxMode: boolean): boolean {
  const raw = env.SAMPLE_APP_API_DOCS?.trim().toLowerCase();
  if (!raw) return sandboxMode;
  if (raw !== 'on' && raw !== 'off') {
    throw new InvalidSampleAppConfigError(
      'SAMPLE_APP_API_DOCS',
      'must be on or off',
    );
  }
  return raw === 'on';
}

function loadAdapter(env: NodeJS.ProcessEnv): SampleAppConfig['adapter'] {
  const adapter = env.SAMPLE_APP_ADAPTER?.trim() || 'fastify';
  if (adapter !== 'express' && adapter !== 'fastify') {
    throw new InvalidSampleAppConfigError(
      'SAMPLE_APP_ADAPTER',
      'must be express or fastify',
    );
  }
  return adapter;
}
