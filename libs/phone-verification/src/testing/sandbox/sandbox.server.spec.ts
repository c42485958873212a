import { readFileSync } from 'node:fs';
import { validateIdCard, validateMobile } from '../../validation/index.js';
import { idCardCheckCharacter } from '../../validation/id-card.js';
import { REGISTERED_PEOPLE } from './sandbox.registry.js';
import {
  TEST_IDENTITIES,
  TEST_ID_CARD,
  TEST_NAME,
} from './sandbox.identities.js';
import { startSandbox, type RunningSandbox } from './sandbox.server.js';

describe('the AceData sandbox', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ token: 'tok' });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.resetCalls());

  const check = (body: unknown, token = 'tok') =>
    fetch(`${sandbox.url}/identity/phone/check-3e`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });

  it('answers 401 invalid_token in AceData’s error shape for a wrong token', async () => {
    const res = await check(
      { name: TEST_NAME, phone: '13800000000', id_card: TEST_ID_CARD },
      'nope',
    );
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      success: false,
      error: { code: 'invalid_token', message: expect.any(String) },
      trace_id: expect.any(String),
    });
    expect(sandbox.calls().total).toBe(0);
  });

  it('counts calls and billed calls per phone, over HTTP too, and resets', async () => {
    await check({
      name: TEST_NAME,
      phone: '13800000000',
      id_card: TEST_ID_CARD,
    });
    await check({
      name: TEST_NAME,
      phone: '13800000000',
      id_card: TEST_ID_CARD,
    });
    await check({
      name: TEST_NAME,
      phone: '13800000002',
      id_card: TEST_ID_CARD,
    });
    const calls = await (await fetch(`${sandbox.url}/__sandbox/calls`)).json();
    expect(calls).toEqual({
      total: 3,
      billed: 2,
      byPhone: {
        '13800000000': { calls: 2, billed: 2 },
        '13800000002': { calls: 1, billed: 0 },
      },
    });
    await fetch(`${sandbox.url}/__sandbox/reset`, { method: 'POST' });
    expect(sandbox.calls().total).toBe(0);
  });

  it('fails a fail-once identity on the first call only', async () => {
    const first = await check({
      name: TEST_NAME,
      phone: '13600001500',
      id_card: TEST_ID_CARD,
    });
    const second = await check({
      name: TEST_NAME,
      phone: '13600001500',
      id_card: TEST_ID_CARD,
    });
    expect(first.status).toBe(500);
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ result: '0' });
  });

  it('answers 400 for a body without the required fields, and 404 elsewhere', async () => {
    expect((await check({ name: TEST_NAME })).status).toBe(400);
    expect(
      (
        await fetch(`${sandbox.url}/identity/phone/check-2e`, {
          method: 'POST',
        })
      ).status,
    ).toBe(404);
  });

  it('delays answers by the configured latency', async () => {
    const slow = await startSandbox({ token: 'tok', latencyMs: 150 });
    try {
      const started = performance.now();
      await fetch(`${slow.url}/identity/phone/check-3e`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer tok',
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          name: TEST_NAME,
          phone: '13800000000',
          id_card: TEST_ID_CARD,
        }),
      });
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    } finally {
      await slow.close();
    }
  });

  it('documents only identities that pass the library’s local validation', () => {
    expect(validateIdCard(TEST_ID_CARD).valid).toBe(true);
    const phones = new Set<string>();
    for (const identity of TEST_IDENTITIES) {
      expect(validateMobile(identity.phone)).toEqual({
        valid: true,
        value: identity.phone,
      });
      expect(phones.has(identity.phone)).toBe(false);
      phones.add(identity.phone);
    }
    for (const person of REGISTERED_PEOPLE) {
      expect(validateMobile(person.phone).valid).toBe(true);
      expect(idCardCheckCharacter(person.idCard)).toBe(person.idCard[17]);
      expect(validateIdCard(person.idCard).valid).toBe(true);
      expect(phones.has(person.phone)).toBe(false);
    }
  });

  it('has every test identity and registered person documented in the library README', () => {
    const readme = readFileSync('libs/phone-verification/README.md', 'utf8');
    for (const identity of TEST_IDENTITIES) {
      expect(readme).toContain(
        `| \`${identity.phone}\` | ${identity.summary} |`,
      );
    }
    for (const person of REGISTERED_PEOPLE) {
      expect(readme).toContain(`\`${person.phone}\` | \`${person.idCard}\``);
    }
  });
});
