import * as fc from 'fast-check';
import request from 'supertest';
import {
  REGISTERED_PEOPLE,
  TEST_IDENTITIES,
  TEST_ID_CARD,
  TEST_NAME,
} from '@app/phone-verification/testing';
import {
  KEY_A,
  startHarness,
  type Harness,
} from './support/sample-app-process.js';

const PATH = '/identity/phone/check-3e';
const ALLOWED = new Set([200, 400, 401, 413, 429]);

/** Phones whose answer is a result, never an upstream fault. */
const resultPhones = [
  ...TEST_IDENTITIES.filter(
    (i) => i.behaviour.kind === 'result' && !i.failOnce,
  ).map((i) => i.phone),
  ...REGISTERED_PEOPLE.map((p) => p.phone),
];

const KEYS = [
  'name',
  'phone',
  'id_card',
  'verify_mode',
  'encrypt_list',
  'ciphertext_blob',
  'iv',
  '__proto__',
  'constructor',
  'prototype',
];

/** Anything a client could send: plausible, wrong-typed, huge, unicode, nested, hostile keys. */
const fieldValue = fc.oneof(
  fc.constantFrom(
    TEST_NAME,
    TEST_ID_CARD,
    '11010519491231002x',
    '0',
    '1',
    ...resultPhones,
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ minLength: 5000, maxLength: 12000 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 10 }), { maxLength: 4 }),
  fc.object({ maxDepth: 3 }),
);

const body = fc.oneof(
  fc.dictionary(
    fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 12 })),
    fieldValue,
    {
      maxKeys: 9,
    },
  ),
  fc.record(
    {
      name: fieldValue,
      phone: fieldValue,
      id_card: fieldValue,
      verify_mode: fieldValue,
    },
    { requiredKeys: ['name', 'phone', 'id_card'] },
  ),
  fc.jsonValue({ maxDepth: 4 }),
);

/** Raw texts, including prototype-pollution payloads and broken JSON. */
const rawText = fc.oneof(
  body.map((b) => JSON.stringify(b) ?? 'null'),
  fc.constantFrom(
    '{"__proto__": {"polluted": true}, "name": "张三"}',
    '{"constructor": {"prototype": {"polluted": true}}}',
    '{"name": "张三", "phone": "13800000000", "id_card": "11010519491231002X", "__proto__": {"isAdmin": true}}',
    '{"name": ',
    '[1,2,3]',
    '"just a string"',
    '',
  ),
  fc.string({ maxLength: 200 }),
);

describe('the sample app under arbitrary bodies (fast-check)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      SAMPLE_APP_RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
      PHONE_VERIFICATION_RETRY_MAX_ATTEMPTS: '1',
    });
  });
  afterAll(() => h.close());

  it('answers every body with 200/400/401/413/429, never a 5xx, in the documented shapes', async () => {
    await fc.assert(
      fc.asyncProperty(rawText, async (text) => {
        const res = await request(h.url)
          .post(PATH)
          .set('authorization', `Bearer ${KEY_A}`)
          .set('content-type', 'application/json')
          .send(text);
        expect(ALLOWED.has(res.status)).toBe(true);
        const answer = res.body as Record<string, unknown>;
        const documentedShape =
          res.status === 200
            ? typeof answer.result === 'string' &&
              typeof answer.status === 'string'
            : answer.success === false;
        expect(documentedShape).toBe(true);
        expect(res.text).not.toMatch(/\bat .+\.js:\d+|Error:|polluted/);
      }),
      { numRuns: 1500 },
    );
    // The process is intact: a normal request and the health check still work.
    const ok = await request(h.url)
      .post(PATH)
      .set('authorization', `Bearer ${KEY_A}`)
      .send({ name: TEST_NAME, phone: '13800000000', id_card: TEST_ID_CARD });
    expect(ok.body).toMatchObject({ result: '0' });
    expect((await request(h.url).get('/health')).status).toBe(200);
    expect(h.app.child.exitCode).toBeNull();
  });
});
