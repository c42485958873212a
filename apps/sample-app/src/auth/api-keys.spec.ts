import { createHash } from 'node:crypto';
import type { SampleAppConfig } from '../sample-app.config.js';
import { ApiKeys } from './api-keys.js';

const KEY = 'short-key-123';

/** The keys of a config with this ledger secret (the rest does not matter here). */
const keysUnder = (secret: string) =>
  new ApiKeys({
    apiKeys: [KEY],
    operatorKeys: ['operator-key-0000001'],
    metricsKeys: [],
    acedata: { ledger: { secret } },
  } as unknown as SampleAppConfig);

const idOf = (keys: ApiKeys, key: string) => {
  const outcome = keys.authenticate({
    headers: { authorization: `Bearer ${key}` },
  });
  if (outcome.kind !== 'valid') throw new Error(outcome.kind);
  return outcome.callerId;
};

describe('caller ids', () => {
  it('are keyed by the ledger secret: a leaked id cannot be matched against guessed keys without it', () => {
    const secret = 'a'.repeat(32);
    const id = idOf(keysUnder(secret), KEY);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    // Stable for one secret (rows and budgets keep their caller).
    expect(idOf(keysUnder(secret), KEY)).toBe(id);
    // Not the key's plain digest, and another secret gives another id.
    expect(id).not.toBe(
      createHash('sha256').update(KEY).digest('hex').slice(0, 32),
    );
    expect(idOf(keysUnder('b'.repeat(32)), KEY)).not.toBe(id);
    expect(id).not.toContain(KEY);
  });

  it('differ per key, and say the key’s role', () => {
    const keys = keysUnder('a'.repeat(32));
    expect(idOf(keys, KEY)).not.toBe(idOf(keys, 'operator-key-0000001'));
    expect(
      keys.authenticate({
        headers: { authorization: 'Bearer operator-key-0000001' },
      }),
    ).toMatchObject({ kind: 'valid', role: 'operator' });
  });
});

const named = () =>
  new ApiKeys({
    apiKeys: [KEY, 'another-key-0002'],
    callerNames: new Map([[KEY, 'Shop 北京']]),
    operatorKeys: [],
    metricsKeys: [],
    acedata: { ledger: { secret: 'a'.repeat(32) } },
  } as unknown as SampleAppConfig);

describe('named callers', () => {
  it('name a caller id, never the key; an unnamed key has no name', () => {
    const keys = named();
    const id = idOf(keys, KEY);
    expect(keys.nameOf(id)).toBe('Shop 北京');
    expect(keys.nameOf(idOf(keys, 'another-key-0002'))).toBeUndefined();
    expect(keys.nameOf('not-an-id')).toBeUndefined();
  });

  it('take a name or an id where a caller is asked for', () => {
    const keys = named();
    const id = idOf(keys, KEY);
    expect(keys.callerIdOf('Shop 北京')).toBe(id);
    expect(keys.callerIdOf(id)).toBe(id);
    // Anything else is looked for as it is (a batch run's caller, an old id).
    expect(keys.callerIdOf('batch')).toBe('batch');
    // Never the key itself: that would tell whether a guessed key exists.
    expect(keys.callerIdOf(KEY)).toBe(KEY);
  });
});
