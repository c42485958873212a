import { Injectable, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
// A consumer imports these from the package and its `/testing` entry point.
import {
  InvalidInputError,
  PhoneVerificationModule,
  PhoneVerificationService,
  phoneVerificationConfig,
} from '../index.js';
import { UpstreamTimeoutError } from '../errors/index.js';
import {
  FakePhoneVerificationService,
  PhoneVerificationTestingModule,
} from './index.js';

/** The consumer's own code under test. */
@Injectable()
class AccountOpeningService {
  constructor(private readonly verification: PhoneVerificationService) {}

  async open(
    name: string,
    phone: string,
    idCard: string,
  ): Promise<'opened' | 'rejected' | 'retry_later'> {
    try {
      const result = await this.verification.verify({ name, phone, idCard });
      return result.status === 'consistent' ? 'opened' : 'rejected';
    } catch (error) {
      if (error instanceof UpstreamTimeoutError) return 'retry_later';
      throw error;
    }
  }
}

describe('a consumer testing its code with PhoneVerificationTestingModule', () => {
  let accounts: AccountOpeningService;
  let fake: FakePhoneVerificationService;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [PhoneVerificationTestingModule.forRoot()],
      providers: [AccountOpeningService],
    }).compile();
    accounts = moduleRef.get(AccountOpeningService);
    fake = moduleRef.get(FakePhoneVerificationService);
  });

  it('answers consistent by default, with no network and no token', async () => {
    expect(
      await accounts.open('张三', '13812345678', '11010519491231002X'),
    ).toBe('opened');
  });

  it('answers scripted results per phone number', async () => {
    fake.whenPhone('13900000000', { code: 1, detail: 'PhoneNameMismatch' });
    expect(
      await accounts.open('张三', '+86 139-0000-0000', '11010519491231002X'),
    ).toBe('rejected');
    expect(
      await accounts.open('张三', '13812345678', '11010519491231002X'),
    ).toBe('opened');
  });

  it('throws scripted errors', async () => {
    fake.whenPhone('13700000000', new UpstreamTimeoutError(15_000));
    expect(
      await accounts.open('张三', '13700000000', '11010519491231002X'),
    ).toBe('retry_later');
  });

  it('validates input like the real service', async () => {
    await expect(
      accounts.open('张三', '12345', '11010519491231002X'),
    ).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('records the calls it got, masked', async () => {
    await accounts.open('欧阳娜娜', '13812345678', '440304199001011233');
    expect(fake.calls).toEqual([
      {
        name: '欧***',
        phone: '138****5678',
        idCard: '440304********1233',
        verifyMode: 'short',
      },
    ]);
  });

  it('can script the default and the circuit state', async () => {
    fake.otherwise({ code: -1 }).setCircuitState('open');
    expect(
      await accounts.open('张三', '13812345678', '11010519491231002X'),
    ).toBe('rejected');
    expect(fake.circuitState()).toBe('open');
    expect(fake.health()).toMatchObject({
      refusingBilledCalls: true,
      circuit: { state: 'open', refusingBilledCalls: true },
    });
  });
});

describe('an app module with the real PhoneVerificationModule, in its own tests', () => {
  /** What an app's root module imports in production: options from the env. */
  @Module({
    imports: [
      ConfigModule.forRoot({ ignoreEnvFile: true, ignoreEnvVars: true }),
      PhoneVerificationModule.forRootAsync(
        phoneVerificationConfig.asProvider(),
      ),
    ],
    providers: [AccountOpeningService],
  })
  class AppModuleUnderTest {}

  // The test environment has no ACEDATA_API_TOKEN.
  const env = process.env.ACEDATA_API_TOKEN;
  beforeAll(() => delete process.env.ACEDATA_API_TOKEN);
  afterAll(() => {
    if (env !== undefined) process.env.ACEDATA_API_TOKEN = env;
  });

  it('overrideIn(builder) swaps in the fake, with no token and no network', async () => {
    const fake = new FakePhoneVerificationService();
    fake.whenPhone('13900000000', { code: 1 });
    const moduleRef = await PhoneVerificationTestingModule.overrideIn(
      Test.createTestingModule({ imports: [AppModuleUnderTest] }),
      fake,
    ).compile();
    const accounts = moduleRef.get(AccountOpeningService);
    expect(
      await accounts.open('张三', '13900000000', '11010519491231002X'),
    ).toBe('rejected');
    expect(moduleRef.get(PhoneVerificationService)).toBe(fake);
    await moduleRef.close();
  });
});
