import { InvalidPhoneVerificationEnvError } from '@app/phone-verification';
import { loadSampleAppConfig } from './sample-app.config.js';

const ENV = {
  ACEDATA_API_TOKEN: 'config-spec-token',
  ACEDATA_BASE_URL: 'http://127.0.0.1:9',
  ACEDATA_TIMEOUT_MS: '2500',
  SAMPLE_APP_API_KEYS: 'config-spec-key-0001',
};

describe('the sample app’s configuration', () => {
  it('a bad variable of its own fails the boot in the library’s format, as an InvalidPhoneVerificationEnvError', () => {
    let thrown: unknown;
    try {
      loadSampleAppConfig({ ...ENV, PORT: 'eighty' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidPhoneVerificationEnvError);
    expect(thrown).toMatchObject({
      variable: 'PORT',
      message:
        'Invalid configuration: PORT must be a whole number from 0 to 65535',
    });
  });
});

describe('the per-key budget: one variable, the library’s', () => {
  it('PHONE_VERIFICATION_DAILY_BUDGET_PER_KEY sets the library’s per-key cap', () => {
    const config = loadSampleAppConfig({
      ...ENV,
      PHONE_VERIFICATION_LEDGER_SECRET:
        'config-spec-ledger-secret-0123456789abcdef',
      PHONE_VERIFICATION_DAILY_BUDGET_PER_KEY: '7',
    });
    expect(config.acedata.budget?.perKey).toEqual({ maxBilledPerDay: 7 });
  });

  it('the retired SAMPLE_APP_DAILY_BUDGET_PER_KEY refuses to start, naming the one to use (ignored, keys would run uncapped)', () => {
    expect(() =>
      loadSampleAppConfig({ ...ENV, SAMPLE_APP_DAILY_BUDGET_PER_KEY: '7' }),
    ).toThrow(
      /SAMPLE_APP_DAILY_BUDGET_PER_KEY is no longer read: set PHONE_VERIFICATION_DAILY_BUDGET_PER_KEY/,
    );
  });
});

describe('SAMPLE_APP_PRICE_PER_CALL_CNY', () => {
  it.each([
    ['0.35', 0.35],
    ['2', 2],
    [undefined, undefined],
  ])('%s is a price of %s yuan', (raw, price) => {
    expect(
      loadSampleAppConfig({
        ...ENV,
        PHONE_VERIFICATION_LEDGER_SECRET:
          'config-spec-ledger-secret-of-32-chars',
        SAMPLE_APP_PRICE_PER_CALL_CNY: raw,
      }).pricePerCallCny,
    ).toBe(price);
  });

  it.each(['-1', '0,35', '1e3', 'cheap'])(
    '%s fails the boot naming it',
    (raw) => {
      expect(() =>
        loadSampleAppConfig({ ...ENV, SAMPLE_APP_PRICE_PER_CALL_CNY: raw }),
      ).toThrow(/SAMPLE_APP_PRICE_PER_CALL_CNY must be a price in yuan/);
    },
  );
});

describe('SAMPLE_APP_API_DOCS', () => {
  const LEDGER = {
    PHONE_VERIFICATION_LEDGER_SECRET: 'config-spec-ledger-secret-of-32-chars',
  };

  it.each([
    [{}, false],
    [{ SAMPLE_APP_API_DOCS: 'on' }, true],
    [{ SAMPLE_APP_API_DOCS: 'OFF' }, false],
  ])('with a token, %j serves the docs: %s', (env, served) => {
    expect(loadSampleAppConfig({ ...ENV, ...LEDGER, ...env }).apiDocs).toBe(
      served,
    );
  });

  it('serves them in sandbox mode unless turned off', () => {
    expect(loadSampleAppConfig({}).apiDocs).toBe(true);
    expect(loadSampleAppConfig({ SAMPLE_APP_API_DOCS: 'off' }).apiDocs).toBe(
      false,
    );
  });

  it('fails the boot naming it for anything but on or off', () => {
    expect(() =>
      loadSampleAppConfig({ ...ENV, SAMPLE_APP_API_DOCS: 'public' }),
    ).toThrow(/SAMPLE_APP_API_DOCS must be on or off/);
  });
});

describe('SAMPLE_APP_METRICS_KEYS', () => {
  it('reads the scraper keys', () => {
    expect(
      loadSampleAppConfig({
        ...ENV,
        PHONE_VERIFICATION_LEDGER_SECRET:
          'config-spec-ledger-secret-0123456789ab',
        SAMPLE_APP_METRICS_KEYS: ' scrape-key-000001 , scrape-key-000002',
      }).metricsKeys,
    ).toEqual(['scrape-key-000001', 'scrape-key-000002']);
  });

  it.each([
    ['short', /at least 12 characters/],
    ['config-spec-key-0001', /must not repeat a key/],
    ['operator-key-00000001', /must not repeat a key/],
  ])('refuses %s, naming the variable', (keys, problem) => {
    let thrown: unknown;
    try {
      loadSampleAppConfig({
        ...ENV,
        SAMPLE_APP_OPERATOR_KEYS: 'operator-key-00000001',
        SAMPLE_APP_METRICS_KEYS: keys,
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ variable: 'SAMPLE_APP_METRICS_KEYS' });
    expect((thrown as Error).message).toMatch(problem);
  });
});

const loadWithKeys = (keys: string) =>
  loadSampleAppConfig({
    ...ENV,
    PHONE_VERIFICATION_LEDGER_SECRET:
      'config-spec-ledger-secret-0123456789abcdef',
    SAMPLE_APP_API_KEYS: keys,
  });

describe('named caller keys (SAMPLE_APP_API_KEYS)', () => {
  it('takes name=key beside bare keys: the key as it is, its name apart', () => {
    const config = loadWithKeys(
      'Shop 北京=shop-key-000000001, bare-key-0000002 ,billing=a=b=key-0000003',
    );
    expect(config.apiKeys).toEqual([
      'shop-key-000000001',
      'bare-key-0000002',
      'a=b=key-0000003',
    ]);
    expect([...config.callerNames]).toEqual([
      ['shop-key-000000001', 'Shop 北京'],
      ['a=b=key-0000003', 'billing'],
    ]);
  });

  it.each([
    ['a name with a control character', 'bad\u0007name=some-key-0000001'],
    ['a name too long', `${'n'.repeat(41)}=some-key-0000001`],
    ['an empty name', '=some-key-0000001'],
    ['one name twice', 'shop=some-key-0000001,shop=other-key-000002'],
    ['a named key too short', 'shop=short'],
  ])(
    'fails the boot naming the variable, never the key: %s',
    (_label, keys) => {
      let thrown: unknown;
      try {
        loadWithKeys(keys);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({ variable: 'SAMPLE_APP_API_KEYS' });
      expect((thrown as Error).message).not.toMatch(/some-key|other-key|short/);
    },
  );
});
