import { phoneVerificationOptionsFromEnv } from './phone-verification.config.js';
import { InvalidPhoneVerificationEnvError } from './errors/boot.errors.js';

const TOKEN = { ACEDATA_API_TOKEN: 'token-abc' };
/** What every shared store needs besides where it is. */
const SHARED = { PHONE_VERIFICATION_KEY_SECRET: 'k'.repeat(32) };

/** An app's ledger context: its database, else its folder. */
const app = (databaseUrl?: string) => ({
  ledger: {
    databaseUrl,
    embeddedDir: '/srv/app-ledger',
    replica: 'batch:1',
  },
});

describe('phoneVerificationOptionsFromEnv', () => {
  it('reads every variable the module has', () => {
    expect(
      phoneVerificationOptionsFromEnv({
        ...TOKEN,
        ACEDATA_BASE_URL: 'https://api.example.com',
        ACEDATA_TIMEOUT_MS: '2500',
        PHONE_VERIFICATION_RETRY_MAX_ATTEMPTS: '2',
        PHONE_VERIFICATION_CALLS_PER_SECOND: '2.5',
        PHONE_VERIFICATION_BREAKER_FAILURE_RATE: '0.4',
        PHONE_VERIFICATION_BREAKER_MIN_CALLS: '20',
        PHONE_VERIFICATION_BREAKER_WINDOW_MS: '5000',
        PHONE_VERIFICATION_BREAKER_COOLDOWN_MS: '1000',
        PHONE_VERIFICATION_CACHE_TTL_MS: '60000',
        PHONE_VERIFICATION_CACHE_SECRET: 's'.repeat(32),
        ACEDATA_DATA_KEY: Buffer.alloc(32, 1).toString('base64'),
        ACEDATA_CIPHERTEXT_BLOB: 'blob',
        PHONE_VERIFICATION_RESULT_CODES: '{"-4":{"billed":true}}',
      }),
    ).toMatchObject({
      apiToken: 'token-abc',
      baseUrl: 'https://api.example.com',
      timeoutMs: 2500,
      retry: { maxAttempts: 2 },
      pacing: { callsPerSecond: 2.5 },
      circuitBreaker: {
        failureRate: 0.4,
        minimumCalls: 20,
        windowMs: 5000,
        cooldownMs: 1000,
      },
      cache: { ttlMs: 60000, secret: 's'.repeat(32) },
      encryption: { ciphertextBlob: 'blob' },
      resultCodes: { '-4': { billed: true } },
    });
  });

  it('reads a Redis Cluster, a Sentinel set and their credentials', () => {
    expect(
      phoneVerificationOptionsFromEnv({
        ...TOKEN,
        ...SHARED,
        REDIS_CLUSTER_NODES: ' 10.0.0.1:6379, 10.0.0.2:6380 ,',
        REDIS_USERNAME: 'app',
        REDIS_PASSWORD: 'pw',
        REDIS_TLS: 'on',
      }).redis,
    ).toMatchObject({
      cluster: { nodes: ['10.0.0.1:6379', '10.0.0.2:6380'] },
      username: 'app',
      password: 'pw',
      tls: true,
    });
    expect(
      phoneVerificationOptionsFromEnv({
        ...TOKEN,
        ...SHARED,
        REDIS_SENTINELS: '10.0.0.5:26379,10.0.0.6:26379',
        REDIS_SENTINEL_MASTER: 'mymaster',
      }).redis,
    ).toMatchObject({
      sentinel: {
        sentinels: ['10.0.0.5:26379', '10.0.0.6:26379'],
        masterName: 'mymaster',
      },
      tls: false,
    });
  });

  it('turns the breaker off with PHONE_VERIFICATION_BREAKER=off', () => {
    expect(
      phoneVerificationOptionsFromEnv({
        ...TOKEN,
        PHONE_VERIFICATION_BREAKER: 'off',
      }).circuitBreaker,
    ).toBe(false);
  });

  it.each([
    [{ ACEDATA_TIMEOUT_MS: '15s' }, 'ACEDATA_TIMEOUT_MS', /must be a number/],
    [{ ACEDATA_TIMEOUT_MS: '-5' }, 'ACEDATA_TIMEOUT_MS', /whole number/],
    [
      { PHONE_VERIFICATION_BREAKER_FAILURE_RATE: '2' },
      'PHONE_VERIFICATION_BREAKER_FAILURE_RATE',
      /between 0 and 1/,
    ],
    [
      { PHONE_VERIFICATION_CALLS_PER_SECOND: '0' },
      'PHONE_VERIFICATION_CALLS_PER_SECOND',
      /from 0.01 to 10000/,
    ],
    [
      { PHONE_VERIFICATION_CACHE_TTL_MS: '1000' },
      'PHONE_VERIFICATION_CACHE_SECRET',
      /at least 32/,
    ],
    [
      { ACEDATA_DATA_KEY: Buffer.alloc(32).toString('base64') },
      'ACEDATA_CIPHERTEXT_BLOB',
      /required/,
    ],
    [
      { PHONE_VERIFICATION_RESULT_CODES: '-4=billed' },
      'PHONE_VERIFICATION_RESULT_CODES',
      /must be JSON/,
    ],
    [
      { PHONE_VERIFICATION_RESULT_CODES: '{"-4":{"status":"billed"}}' },
      'PHONE_VERIFICATION_RESULT_CODES',
      /\["-4"\]\.status must be one of: consistent, inconsistent/,
    ],
    [
      { ...SHARED, REDIS_CLUSTER_NODES: '10.0.0.1:6379,10.0.0.2' },
      'REDIS_CLUSTER_NODES',
      /host:port/,
    ],
    [
      { ...SHARED, REDIS_SENTINELS: '10.0.0.5:26379' },
      'REDIS_SENTINEL_MASTER',
      /primary the sentinels monitor/,
    ],
    [
      {
        ...SHARED,
        REDIS_SENTINELS: '10.0.0.5:26379',
        REDIS_SENTINEL_MASTER: 'my master',
      },
      'REDIS_SENTINEL_MASTER',
      /letters, digits/,
    ],
    [
      {
        ...SHARED,
        REDIS_URL: 'redis://10.0.0.1:6379',
        REDIS_CLUSTER_NODES: '10.0.0.1:6379',
      },
      'REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS',
      /exactly one of/,
    ],
    [
      { ...SHARED, REDIS_URL: 'redis://x', REDIS_TLS: 'yes' },
      'REDIS_TLS',
      /on or off/,
    ],
  ])('%j fails naming %s', (env, variable, problem) => {
    let thrown: unknown;
    try {
      phoneVerificationOptionsFromEnv({ ...TOKEN, ...env });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidPhoneVerificationEnvError);
    expect((thrown as InvalidPhoneVerificationEnvError).variable).toBe(
      variable,
    );
    expect((thrown as Error).message).toContain(variable);
    expect((thrown as Error).message).toMatch(problem);
  });

  it('one secret, PHONE_VERIFICATION_KEY_SECRET, serves the cache, the shared keys and the ledger when theirs are not set', () => {
    const secret = 'one-secret-for-every-digest-0123456789';
    const options = phoneVerificationOptionsFromEnv({
      ...TOKEN,
      PHONE_VERIFICATION_KEY_SECRET: secret,
      PHONE_VERIFICATION_CACHE_TTL_MS: '60000',
      REDIS_URL: 'redis://127.0.0.1:6379',
      PHONE_VERIFICATION_LEDGER_DIR: '/srv/ledger',
    });
    expect(options.cache?.secret).toBe(secret);
    expect(options.redis?.secret).toBe(secret);
    expect(options.ledger?.secret).toBe(secret);
    expect(
      phoneVerificationOptionsFromEnv({
        ...TOKEN,
        PHONE_VERIFICATION_KEY_SECRET: secret,
        PHONE_VERIFICATION_CACHE_SECRET: 'c'.repeat(32),
        PHONE_VERIFICATION_CACHE_TTL_MS: '60000',
      }).cache?.secret,
    ).toBe('c'.repeat(32));
  });

  it('a missing token names ACEDATA_API_TOKEN', () => {
    expect(() => phoneVerificationOptionsFromEnv({})).toThrow(
      /ACEDATA_API_TOKEN is missing or blank/,
    );
  });

  describe('the usage ledger, from the library’s own variables', () => {
    const SECRET = 'a-ledger-secret-of-at-least-32-characters';

    it('is off without a store', () => {
      expect(phoneVerificationOptionsFromEnv(TOKEN).ledger).toBeUndefined();
    });

    it('is on PostgreSQL at PHONE_VERIFICATION_LEDGER_DATABASE_URL, with its other variables', () => {
      expect(
        phoneVerificationOptionsFromEnv({
          ...TOKEN,
          PHONE_VERIFICATION_LEDGER_DATABASE_URL:
            'postgres://ledger@db.internal/app',
          PHONE_VERIFICATION_LEDGER_SECRET: SECRET,
          PHONE_VERIFICATION_LEDGER_WHEN_DOWN: 'spool',
          PHONE_VERIFICATION_LEDGER_SPOOL_DIR: '/var/spool/ledger',
          PHONE_VERIFICATION_LEDGER_RETENTION_DAYS: '400',
          // The app's own database is not the ledger's.
          DATABASE_URL: 'postgres://app@db.internal/other',
        }).ledger,
      ).toEqual({
        store: { postgres: { url: 'postgres://ledger@db.internal/app' } },
        secret: SECRET,
        whenStoreDown: 'spool',
        spoolDir: '/var/spool/ledger',
        retentionDays: 400,
      });
    });

    it('is embedded in PHONE_VERIFICATION_LEDGER_DIR', () => {
      expect(
        phoneVerificationOptionsFromEnv({
          ...TOKEN,
          PHONE_VERIFICATION_LEDGER_DIR: '/srv/ledger',
          PHONE_VERIFICATION_LEDGER_SECRET: SECRET,
        }).ledger,
      ).toMatchObject({
        store: { pglite: { dataDir: '/srv/ledger' } },
        whenStoreDown: 'refuse',
      });
    });

    it("is the app's when the library's variables name no store: its database, else its folder", () => {
      const env = { ...TOKEN, PHONE_VERIFICATION_LEDGER_SECRET: SECRET };
      expect(
        phoneVerificationOptionsFromEnv(env, {}, app('postgres://app@db/x'))
          .ledger,
      ).toMatchObject({
        store: { postgres: { url: 'postgres://app@db/x' } },
        replica: 'batch:1',
      });
      expect(
        phoneVerificationOptionsFromEnv(env, {}, app(' ')).ledger,
      ).toMatchObject({ store: { pglite: { dataDir: '/srv/app-ledger' } } });
      expect(
        phoneVerificationOptionsFromEnv(
          { ...env, PHONE_VERIFICATION_LEDGER_DIR: '/srv/ledger' },
          {},
          app('postgres://app@db/x'),
        ).ledger,
      ).toMatchObject({ store: { pglite: { dataDir: '/srv/ledger' } } });
    });

    it('has a fixed secret in sandbox mode only', () => {
      const context = { ledger: { embeddedDir: '/srv/app-ledger' } };
      expect(
        phoneVerificationOptionsFromEnv(
          TOKEN,
          {},
          {
            ...context,
            sandboxMode: true,
          },
        ).ledger?.secret.length,
      ).toBeGreaterThanOrEqual(32);
      expect(() => phoneVerificationOptionsFromEnv(TOKEN, {}, context)).toThrow(
        /PHONE_VERIFICATION_LEDGER_SECRET is required/,
      );
    });

    it.each([
      [
        { PHONE_VERIFICATION_LEDGER_DIR: '/srv/ledger' },
        'PHONE_VERIFICATION_LEDGER_SECRET',
      ],
      [
        {
          PHONE_VERIFICATION_LEDGER_DIR: '/srv/ledger',
          PHONE_VERIFICATION_LEDGER_DATABASE_URL: 'postgres://db/app',
          PHONE_VERIFICATION_LEDGER_SECRET: SECRET,
        },
        'PHONE_VERIFICATION_LEDGER_DIR',
      ],
      [
        {
          PHONE_VERIFICATION_LEDGER_DIR: '/srv/ledger',
          PHONE_VERIFICATION_LEDGER_SECRET: SECRET,
          PHONE_VERIFICATION_LEDGER_WHEN_DOWN: 'ignore',
        },
        'PHONE_VERIFICATION_LEDGER_WHEN_DOWN',
      ],
    ])('fails naming the variable: %j', (env, variable) => {
      expect(() =>
        phoneVerificationOptionsFromEnv({ ...TOKEN, ...env }),
      ).toThrow(
        expect.objectContaining({
          name: 'InvalidPhoneVerificationEnvError',
          variable,
        }) as Error,
      );
    });
  });
});
