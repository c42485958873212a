import { healthSnapshot } from './phone-verification-health.js';

const STORE = {
  state: 'up' as const,
  evictionPolicy: 'noeviction',
  evictionSafe: true,
  budgetSeedFailures: 0,
};

describe('the library’s health snapshot', () => {
  it('says nothing refuses when every part is up', () => {
    const health = healthSnapshot({
      circuit: 'closed',
      sharedStore: STORE,
      budgetsFailClosed: true,
      ledger: { available: true, waiting: 0, whenAway: 'refuse' },
    });
    expect(health).toEqual({
      refusingBilledCalls: false,
      circuit: { state: 'closed', refusingBilledCalls: false },
      sharedStore: { ...STORE, shared: true, refusingBilledCalls: false },
      ledger: {
        store: 'up',
        waiting: 0,
        whenAway: 'refuse',
        refusingBilledCalls: false,
      },
    });
  });

  it.each([
    ['open', true],
    ['isolated', true],
    ['half_open', false],
    ['disabled', false],
  ] as const)('a circuit %s refuses billed calls: %s', (circuit, refuses) => {
    const health = healthSnapshot({ circuit, budgetsFailClosed: false });
    expect(health.circuit.refusingBilledCalls).toBe(refuses);
    expect(health.refusingBilledCalls).toBe(refuses);
  });

  it('Redis away refuses billed calls only with budgets that fail closed', () => {
    const away = { ...STORE, state: 'down' as const, reason: 'ECONNREFUSED' };
    const closed = healthSnapshot({
      circuit: 'closed',
      sharedStore: away,
      budgetsFailClosed: true,
    });
    expect(closed.sharedStore).toMatchObject({
      shared: false,
      reason: 'ECONNREFUSED',
      refusingBilledCalls: true,
    });
    expect(closed.refusingBilledCalls).toBe(true);
    const open = healthSnapshot({
      circuit: 'closed',
      sharedStore: { ...away, state: 'degraded' },
      budgetsFailClosed: false,
    });
    expect(open.sharedStore).toMatchObject({
      shared: false,
      refusingBilledCalls: false,
    });
    expect(open.refusingBilledCalls).toBe(false);
  });

  it('a ledger store away refuses billed calls unless its rows are spooled', () => {
    const refuse = healthSnapshot({
      circuit: 'closed',
      budgetsFailClosed: false,
      ledger: { available: false, waiting: 3, whenAway: 'refuse' },
    });
    expect(refuse.ledger).toEqual({
      store: 'away',
      waiting: 3,
      whenAway: 'refuse',
      refusingBilledCalls: true,
    });
    expect(refuse.refusingBilledCalls).toBe(true);
    const spool = healthSnapshot({
      circuit: 'closed',
      budgetsFailClosed: false,
      ledger: { available: false, waiting: 3, whenAway: 'spool' },
    });
    expect(spool.ledger?.refusingBilledCalls).toBe(false);
    expect(spool.refusingBilledCalls).toBe(false);
    expect(spool.sharedStore).toBeUndefined();
  });
});
