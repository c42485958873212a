import { Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import axios from 'axios';
import { AceDataClient } from './acedata/acedata.client.js';
import { rejectionOf } from './testing/rejection-of.js';
import { ScriptedUpstream } from './testing/scripted-upstream.js';
import {
  InvalidPhoneVerificationOptionsError,
  PhoneVerificationModule,
  PhoneVerificationService,
  phoneVerificationConfig,
  type PhoneVerificationModuleOptions,
} from './index.js';

async function bootError(
  options: Partial<PhoneVerificationModuleOptions>,
): Promise<Error> {
  return rejectionOf(
    Test.createTestingModule({
      imports: [
        PhoneVerificationModule.forRoot(
          options as PhoneVerificationModuleOptions,
        ),
      ],
    }).compile(),
    Error,
  );
}

const SUBJECT = {
  name: '张三',
  phone: '13812345678',
  idCard: '11010519491231002X',
};

describe('PhoneVerificationModule', () => {
  let upstream: ScriptedUpstream;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    upstream = await ScriptedUpstream.start();
  });
  afterAll(() => upstream.close());
  beforeEach(() => upstream.reset());
  afterEach(() => {
    process.env = { ...savedEnv };
  });

  async function verifyThrough(
    imports: unknown[],
  ): Promise<string | undefined> {
    const moduleRef = await Test.createTestingModule({
      imports: imports as never[],
    }).compile();
    await moduleRef.get(PhoneVerificationService).verify(SUBJECT);
    await moduleRef.close();
    return upstream.requests.at(-1)?.headers.authorization;
  }

  it('forRoot takes the options directly', async () => {
    const auth = await verifyThrough([
      PhoneVerificationModule.forRoot({
        apiToken: 'token-a',
        baseUrl: upstream.url,
      }),
    ]);
    expect(auth).toBe('Bearer token-a');
  });

  it("configureHttpClient adds interceptors to the library's own client, on purpose; the global axios instance sees nothing", async () => {
    const own: string[] = [];
    const global: string[] = [];
    const globalId = axios.interceptors.request.use((config) => {
      global.push(config.url ?? '');
      return config;
    });
    try {
      const auth = await verifyThrough([
        PhoneVerificationModule.forRoot({
          apiToken: 'token-i',
          baseUrl: upstream.url,
          configureHttpClient: (client) => {
            client.interceptors.request.use((config) => {
              own.push(config.url ?? '');
              return config;
            });
          },
        }),
      ]);
      expect(auth).toBe('Bearer token-i');
      expect(own).toEqual([`${upstream.url}/identity/phone/check-3e`]);
      expect(global).toEqual([]);
    } finally {
      axios.interceptors.request.eject(globalId);
    }
  });

  it("closes the AceData client's connections when the app closes (built by a factory, its shutdown hook still runs)", async () => {
    const ref = await Test.createTestingModule({
      imports: [
        PhoneVerificationModule.forRoot({
          apiToken: 'test-token-6f1d2c9a',
          baseUrl: 'http://127.0.0.1:9',
        }),
      ],
    }).compile();
    const client = ref.get(AceDataClient);
    const close = client.onApplicationShutdown.bind(client);
    let closed = 0;
    client.onApplicationShutdown = async () => {
      closed += 1;
      await close();
    };
    await ref.close();
    expect(closed).toBe(1);
  });

  it('forRootAsync takes a factory that injects ConfigService', async () => {
    const auth = await verifyThrough([
      PhoneVerificationModule.forRootAsync({
        imports: [
          ConfigModule.forRoot({
            ignoreEnvFile: true,
            load: [
              () => ({ ACEDATA_TOKEN: 'token-b', ACEDATA_URL: upstream.url }),
            ],
          }),
        ],
        inject: [ConfigService],
        useFactory: (
          config: ConfigService,
        ): PhoneVerificationModuleOptions => ({
          apiToken: config.getOrThrow('ACEDATA_TOKEN'),
          baseUrl: config.get('ACEDATA_URL'),
        }),
      }),
    ]);
    expect(auth).toBe('Bearer token-b');
  });

  it('forRootAsync takes an options factory class (useClass)', async () => {
    @Injectable()
    class OptionsFactory {
      createPhoneVerificationOptions(): PhoneVerificationModuleOptions {
        return { apiToken: 'token-c', baseUrl: upstream.url };
      }
    }
    const auth = await verifyThrough([
      PhoneVerificationModule.forRootAsync({ useClass: OptionsFactory }),
    ]);
    expect(auth).toBe('Bearer token-c');
  });

  it('phoneVerificationConfig.asProvider() reads the environment in one line', async () => {
    process.env.ACEDATA_API_TOKEN = 'token-d';
    process.env.ACEDATA_BASE_URL = upstream.url;
    process.env.ACEDATA_TIMEOUT_MS = '2500';
    const auth = await verifyThrough([
      ConfigModule.forRoot({ ignoreEnvFile: true }),
      PhoneVerificationModule.forRootAsync(
        phoneVerificationConfig.asProvider(),
      ),
    ]);
    expect(auth).toBe('Bearer token-d');
  });

  it('isGlobal makes the service injectable in other modules without importing it', async () => {
    @Injectable()
    class Consumer {
      constructor(readonly verification: PhoneVerificationService) {}
    }
    @Module({ providers: [Consumer], exports: [Consumer] })
    class FeatureModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [
        PhoneVerificationModule.forRoot({
          apiToken: 'token-e',
          baseUrl: upstream.url,
          isGlobal: true,
        }),
        FeatureModule,
      ],
    }).compile();
    expect(moduleRef.get(Consumer).verification).toBeInstanceOf(
      PhoneVerificationService,
    );
    await moduleRef.close();
  });

  describe('fails the boot with a message naming the option', () => {
    it.each([
      [
        'a missing token',
        {},
        'apiToken',
        /missing or blank.*ACEDATA_API_TOKEN/,
      ],
      ['a blank token', { apiToken: '   ' }, 'apiToken', /missing or blank/],
      [
        'a token with a newline',
        { apiToken: 'abc\ndef' },
        'apiToken',
        /spaces or non-printable/,
      ],
      [
        'a malformed URL',
        { apiToken: 't', baseUrl: 'not a url' },
        'baseUrl',
        /not a valid URL/,
      ],
      [
        'http:// to a remote host',
        { apiToken: 't', baseUrl: 'http://api.acedata.cloud' },
        'baseUrl',
        /plaintext/,
      ],
      [
        'http:// to a private address',
        { apiToken: 't', baseUrl: 'http://10.0.0.5:8080' },
        'baseUrl',
        /plaintext/,
      ],
      [
        'ftp://',
        { apiToken: 't', baseUrl: 'ftp://127.0.0.1' },
        'baseUrl',
        /https/,
      ],
      [
        'credentials in the URL',
        { apiToken: 't', baseUrl: 'https://u:p@api.acedata.cloud' },
        'baseUrl',
        /credentials/,
      ],
      [
        'a URL with the endpoint path (every call would fail)',
        {
          apiToken: 't',
          baseUrl: 'https://api.acedata.cloud/identity/phone/check-3e',
        },
        'baseUrl',
        /only the origin.*without a path/,
      ],
      [
        'a negative timeout',
        { apiToken: 't', timeoutMs: -1 },
        'timeoutMs',
        /whole number/,
      ],
      [
        'a NaN timeout (bad ACEDATA_TIMEOUT_MS)',
        { apiToken: 't', timeoutMs: Number('abc') },
        'timeoutMs',
        /whole number/,
      ],
      [
        'an unknown verify mode',
        { apiToken: 't', defaultVerifyMode: 'long' as 'short' },
        'defaultVerifyMode',
        /one of/,
      ],
    ])('%s', async (_label, options, option, message) => {
      const error = await bootError(options);
      expect(error).toBeInstanceOf(InvalidPhoneVerificationOptionsError);
      expect((error as InvalidPhoneVerificationOptionsError).option).toBe(
        option,
      );
      expect(error.message).toContain(`"${option}"`);
      expect(error.message).toMatch(message);
    });

    it('fails through the config namespace when ACEDATA_API_TOKEN is unset', async () => {
      delete process.env.ACEDATA_API_TOKEN;
      await expect(
        Test.createTestingModule({
          imports: [
            ConfigModule.forRoot({ ignoreEnvFile: true }),
            PhoneVerificationModule.forRootAsync(
              phoneVerificationConfig.asProvider(),
            ),
          ],
        }).compile(),
      ).rejects.toThrow(/ACEDATA_API_TOKEN is missing or blank.*\.env/);
    });

    it('accepts http:// to loopback (a local sandbox)', async () => {
      for (const baseUrl of [
        'http://localhost:4010',
        'http://127.0.0.1:4010/',
        'http://[::1]:4010',
      ]) {
        const moduleRef = await Test.createTestingModule({
          imports: [
            PhoneVerificationModule.forRoot({ apiToken: 't', baseUrl }),
          ],
        }).compile();
        expect(moduleRef.get(PhoneVerificationService)).toBeDefined();
        await moduleRef.close();
      }
    });

    it('never puts the token in the boot error', async () => {
      const error = await bootError({
        apiToken: 'secret-token-xyz',
        baseUrl: 'http://example.com',
      });
      expect(error.message).not.toContain('secret-token-xyz');
    });
  });
});
