import { Test } from '@nestjs/testing';
import { chinaDay } from '../china-time.js';
import {
  BudgetExhaustedError,
  PHONE_VERIFICATION_LEDGER,
  PhoneVerificationModule,
  PhoneVerificationService,
  type PhoneVerificationModuleOptions,
  type UsageLedger,
} from '../index.js';
import { rejectionOf } from '../testing/rejection-of.js';
import { ScriptedUpstream } from '../testing/scripted-upstream.js';
import { idCardCheckCharacter } from '../validation/id-card.js';
import { mayHaveBilled, settleError } from './settlement.js';

const SECRET = 'a-ledger-secret-of-at-least-32-characters';

/** The n-th of many distinct, valid identities. */
function person(n: number) {
  const first17 = `11010519900101${String(n).padStart(3, '0')}`;
  return {
    name: '张三',
    phone: `138${String(n).padStart(8, '0')}`,
    idCard: first17 + idCardCheckCharacter(first17),
  };
}

const answer = (result: string) => ({
  status: 200,
  body: { result, description: 'd', isp: 'Mobile', result_detail: null },
});

describe('the billed call: budget, pacing, the ledger and one settlement rule', () => {
  let upstream: ScriptedUpstream;
  let service: PhoneVerificationService;
  let ledger: UsageLedger;
  let close: () => Promise<void>;

  async function boot(options: Partial<PhoneVerificationModuleOptions> = {}) {
    const moduleRef = await Test.createTestingModule({
      imports: [
        PhoneVerificationModule.forRoot({
          apiToken: 'test-token-billed-call',
          baseUrl: upstream.url,
          circuitBreaker: false,
          ledger: {
            store: { pglite: { dataDir: 'memory://' } },
            secret: SECRET,
          },
          ...options,
        }),
      ],
    }).compile();
    await moduleRef.init();
    service = moduleRef.get(PhoneVerificationService);
    ledger = moduleRef.get(PHONE_VERIFICATION_LEDGER);
    close = () => moduleRef.close();
  }

  const today = async () => {
    const day = chinaDay(Date.now());
    return (await ledger.usage({ from: day, to: day })).totals;
  };

  beforeAll(async () => {
    upstream = await ScriptedUpstream.start();
  });
  afterAll(() => upstream.close());
  beforeEach(() => upstream.reset());
  afterEach(() => close());

  it('records "sent" only when the request leaves, not while it waits for its pacing slot', async () => {
    await boot({ pacing: { callsPerSecond: 2 } });
    const calls = [1, 2, 3, 4, 5].map((n) => service.verify(person(n)));
    for (let i = 0; upstream.requests.length < 1 && i < 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }

    // One left; the others wait for slots (0.5 s apart): none is on record
    // as sent, so a crash now leaves no phantom may-have-billed call.
    const { upstreamCalls } = await today();
    expect(upstreamCalls).toBeLessThanOrEqual(upstream.requests.length + 1);
    expect(upstreamCalls).toBeLessThan(5);

    await Promise.all(calls);
    expect(await today()).toMatchObject({ upstreamCalls: 5, billed: 5 });
  });

  it('-4 is money-safe until a bill settles it: it keeps its budget unit and is recorded as may have billed', async () => {
    await boot({ budget: { maxBilledPerDay: 1 } });
    upstream.respond(answer('-4'));

    const first = await service.verify(person(1));
    expect(first).toMatchObject({
      code: -4,
      billable: 'maybe',
      charged: 'maybe',
    });
    const second = await rejectionOf(service.verify(person(2)));

    expect(second).toBeInstanceOf(BudgetExhaustedError);
    expect(upstream.requests).toHaveLength(1);
    expect(await today()).toMatchObject({
      upstreamCalls: 1,
      billed: 0,
      mayHaveBilled: 1,
      budgetRefused: 1,
    });
  });

  it('a hook that throws before a request leaves: the budget gets its unit back, the ledger says not billed', async () => {
    await boot({ budget: { maxBilledPerDay: 1 } });
    // A 503 is unbilled and retried; the hook throws before the retry.
    upstream.respond({ status: 503, body: { error: { code: 'api_error' } } });
    let attempts = 0;
    const hookError = new Error('the app refused the second attempt');
    const failed = await rejectionOf(
      service.verify(person(1), {
        onAttempt: () => {
          attempts += 1;
          if (attempts === 2) throw hookError;
        },
      }),
      Error,
    );
    expect(failed).toBe(hookError);
    expect(mayHaveBilled(failed)).toBe(false);
    expect(upstream.requests).toHaveLength(1);
    expect(await today()).toMatchObject({
      upstreamCalls: 1,
      billed: 0,
      mayHaveBilled: 0,
    });

    // The unit came back: the next call is within the budget.
    upstream.respond(answer('0'));
    expect(await service.verify(person(2))).toMatchObject({ code: 0 });
  });
});

describe('the settlement rule', () => {
  it('an error that is not the library’s own may have billed exactly when a request was out, and every reader hears the same', () => {
    const before = new Error('hook');
    const during = new TypeError('bug');
    expect(settleError(before, { attempts: 1, unanswered: false })).toEqual({
      billed: false,
      mayHaveBilled: false,
    });
    expect(settleError(during, { attempts: 1, unanswered: true })).toEqual({
      billed: false,
      mayHaveBilled: true,
    });
    expect(mayHaveBilled(before)).toBe(false);
    expect(mayHaveBilled(during)).toBe(true);
    // One it never saw: the safe side.
    expect(mayHaveBilled(new Error('unknown'))).toBe(true);
  });
});
