import { scriptedResult } from '../testing/fake-phone-verification.service.js';
import { VerificationSingleFlight } from './single-flight.js';
import type { ResilientOutcome } from '../resilience/upstream-resilience.js';

/** A call that stays in flight until released. */
function pendingCall() {
  let release!: (outcome: ResilientOutcome) => void;
  let fail!: (error: Error) => void;
  let calls = 0;
  const promise = new Promise<ResilientOutcome>((resolve, reject) => {
    release = resolve;
    fail = reject;
  });
  return {
    call: () => {
      calls++;
      return promise;
    },
    calls: () => calls,
    release: () => release({ result: scriptedResult(0), attempts: 2 }),
    fail,
  };
}

describe('VerificationSingleFlight (in process)', () => {
  it('runs one call per key; the others share its outcome', async () => {
    const flight = new VerificationSingleFlight(true, null);
    const p = pendingCall();
    const first = flight.run('k', p.call);
    const second = flight.run('k', p.call);
    p.release();
    expect(await first).toMatchObject({
      shared: false,
      outcome: { attempts: 2 },
    });
    expect(await second).toMatchObject({
      shared: true,
      outcome: { result: { code: 0 } },
    });
    expect(p.calls()).toBe(1);
  });

  it('keeps keys apart and forgets a key once its call settled', async () => {
    const flight = new VerificationSingleFlight(true, null);
    const a = pendingCall();
    const b = pendingCall();
    const runs = [flight.run('a', a.call), flight.run('b', b.call)];
    a.release();
    b.release();
    await Promise.all(runs);
    const again = pendingCall();
    const third = flight.run('a', again.call);
    again.release();
    expect((await third).shared).toBe(false);
    expect([a.calls(), b.calls(), again.calls()]).toEqual([1, 1, 1]);
  });

  it('hands the same error to everyone waiting', async () => {
    const flight = new VerificationSingleFlight(true, null);
    const p = pendingCall();
    const runs = [flight.run('k', p.call), flight.run('k', p.call)];
    p.fail(new Error('boom'));
    for (const run of runs) await expect(run).rejects.toThrow('boom');
  });

  it('with dedupe off, every call is its own', async () => {
    const flight = new VerificationSingleFlight(false, null);
    const p = pendingCall();
    const runs = [flight.run('k', p.call), flight.run('k', p.call)];
    p.release();
    expect((await Promise.all(runs)).map((r) => r.shared)).toEqual([
      false,
      false,
    ]);
    expect(p.calls()).toBe(2);
  });
});
