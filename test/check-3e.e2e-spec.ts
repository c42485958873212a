import request from 'supertest';
import {
  TEST_IDENTITIES,
  TEST_ID_CARD,
  TEST_NAME,
  REGISTERED_PEOPLE,
} from '@app/phone-verification/testing';
import {
  ACEDATA_TEST_TOKEN,
  KEY_A,
  startHarness,
  type Harness,
} from './support/sample-app-process.js';

const PATH = '/identity/phone/check-3e';

describe.each(['express', 'fastify'])(
  'POST /identity/phone/check-3e (sample app on %s against the sandbox)',
  (adapter) => {
    let h: Harness;

    beforeAll(async () => {
      // One attempt per call and no breaker: this spec checks how each answer
      // maps to HTTP; retries and the breaker have their own specs.
      h = await startHarness({
        SAMPLE_APP_ADAPTER: adapter,
        PHONE_VERIFICATION_RETRY_MAX_ATTEMPTS: '1',
        PHONE_VERIFICATION_BREAKER: 'off',
      });
    });
    afterAll(() => h.close());
    beforeEach(() => h.sandbox.resetCalls());

    const post = (body: unknown, key = KEY_A) =>
      request(h.url)
        .post(PATH)
        .set('authorization', `Bearer ${key}`)
        .send(body as object);

    describe('every result identity', () => {
      const results = TEST_IDENTITIES.filter(
        (i) => i.behaviour.kind === 'result' && !i.failOnce,
      );
      it.each(results.map((i) => [i.phone, i.summary, i] as const))(
        '%s: %s',
        async (phone, _s, identity) => {
          if (identity.behaviour.kind !== 'result')
            throw new Error('unreachable');
          const expected = identity.behaviour;
          const res = await post({
            name: TEST_NAME,
            phone,
            id_card: TEST_ID_CARD,
            verify_mode: '1',
          });
          expect(res.status).toBe(200);
          expect(res.body).toMatchObject({
            result: expected.result,
            description: expected.description,
            isp: expected.isp,
            result_detail: expected.detail ?? null,
            billed: expected.result === '0' || expected.result === '1',
          });
          expect(typeof res.body.status).toBe('string');
          expect(h.sandbox.calls().total).toBe(1);
        },
      );

      it('maps statuses and carriers readably', async () => {
        const consistent = await post({
          name: TEST_NAME,
          phone: '13900000011',
          id_card: TEST_ID_CARD,
        });
        expect(consistent.body).toMatchObject({
          status: 'consistent',
          isp: '移动',
          carrier: 'china_mobile',
        });
        const unknown = await post({
          name: TEST_NAME,
          phone: '13800000009',
          id_card: TEST_ID_CARD,
        });
        expect(unknown.body).toMatchObject({
          result: '-9',
          status: 'unknown',
          billed: false,
        });
        const limit = await post({
          name: TEST_NAME,
          phone: '13800000007',
          id_card: TEST_ID_CARD,
        });
        expect(limit.body).toMatchObject({
          result: '-6',
          status: 'daily_limit_exceeded',
        });
      });

      it('leaves result_detail null in short mode', async () => {
        const res = await post({
          name: TEST_NAME,
          phone: '13700000021',
          id_card: TEST_ID_CARD,
        });
        expect(res.body).toMatchObject({
          result: '1',
          result_detail: null,
          status: 'inconsistent',
        });
      });
    });

    describe('fault identities', () => {
      it.each([
        ['13600000429', 503, 'upstream_rate_limited'],
        ['13600000500', 502, 'upstream_error'],
        ['13600000400', 502, 'upstream_auth_failed'],
        ['13600000404', 502, 'upstream_auth_failed'],
        ['13600000502', 502, 'upstream_bad_response'],
        ['13600000001', 502, 'upstream_connection_lost'],
        ['13600000003', 502, 'upstream_bad_response'],
        ['13600000004', 502, 'upstream_bad_response'],
        ['13600000005', 504, 'upstream_timeout'],
        ['13600000006', 502, 'upstream_bad_response'],
        ['13600000002', 504, 'upstream_timeout'],
      ])(
        '%s → HTTP %d %s in AceData’s error shape',
        async (phone, status, code) => {
          const res = await post({
            name: TEST_NAME,
            phone,
            id_card: TEST_ID_CARD,
          });
          expect(res.status).toBe(status);
          expect(res.body).toEqual({
            success: false,
            error: {
              code,
              message: expect.any(String),
              may_have_billed: expect.any(Boolean),
            },
            trace_id: expect.any(String),
          });
          expect(JSON.stringify(res.body)).not.toMatch(
            /stack|at \w+ \(|axios|Bearer/i,
          );
        },
      );

      it.each([
        ['13600000001', true],
        ['13600000002', true],
        ['13600000005', true],
        ['13600000006', true],
        ['13600000004', true],
        ['13600000500', false],
        ['13600000429', false],
        ['13600000502', false],
      ])(
        '%s says may_have_billed: %s, machine-readably',
        async (phone, mayHaveBilled) => {
          const res = await post({
            name: TEST_NAME,
            phone,
            id_card: TEST_ID_CARD,
          });
          expect(res.body.error.may_have_billed).toBe(mayHaveBilled);
        },
      );

      it('passes AceData’s Retry-After on to the caller', async () => {
        const res = await post({
          name: TEST_NAME,
          phone: '13600000429',
          id_card: TEST_ID_CARD,
        });
        expect(res.headers['retry-after']).toBe('1');
      });

      it('logs the upstream HTTP status of a failed call (not personal data)', async () => {
        await post({
          name: TEST_NAME,
          phone: '13600000404',
          id_card: TEST_ID_CARD,
        });
        for (
          let i = 0;
          i < 40 && !/api_not_implemented/.test(h.app.output());
          i++
        )
          await new Promise((r) => setTimeout(r, 50));
        expect(h.app.output()).toMatch(
          /verification of 136\*{4}0404 failed: api_not_implemented \(HTTP 400\)/,
        );
      });

      it('keeps AceData’s trace id in the error', async () => {
        const res = await post({
          name: TEST_NAME,
          phone: '13600000500',
          id_card: TEST_ID_CARD,
        });
        expect(res.body.trace_id).toMatch(/^[0-9a-f-]{36}$/);
      });
    });

    describe('registry identities', () => {
      const [lei, meimei] = REGISTERED_PEOPLE;

      it('answers 0 when all three elements match', async () => {
        const res = await post({
          name: lei.name,
          phone: lei.phone,
          id_card: lei.idCard,
        });
        expect(res.body).toMatchObject({
          result: '0',
          status: 'consistent',
          isp: lei.isp,
        });
      });

      it('answers 1 with the mismatch when the name differs (detailed)', async () => {
        const res = await post({
          name: '李四',
          phone: lei.phone,
          id_card: lei.idCard,
          verify_mode: '1',
        });
        expect(res.body).toMatchObject({
          result: '1',
          result_detail: 'PhoneNameMismatch',
        });
      });

      it('answers 1 when the ID differs', async () => {
        const res = await post({
          name: meimei.name,
          phone: meimei.phone,
          id_card: TEST_ID_CARD,
          verify_mode: '1',
        });
        expect(res.body).toMatchObject({
          result: '1',
          result_detail: 'PhoneIdCardMismatch',
        });
      });

      it('answers -1 for a phone it does not know', async () => {
        const res = await post({
          name: lei.name,
          phone: '15999999999',
          id_card: lei.idCard,
        });
        expect(res.body).toMatchObject({
          result: '-1',
          status: 'no_record',
          billed: false,
        });
      });

      it('normalises the input before sending it (so a formatted phone still matches)', async () => {
        const res = await post({
          name: ` ${lei.name} `,
          phone: `+86 ${lei.phone.slice(0, 3)}-${lei.phone.slice(3)}`,
          id_card: lei.idCard.toLowerCase(),
        });
        expect(res.body).toMatchObject({ result: '0' });
      });
    });

    it('answers the guide’s curl request sent as-is (only host and key changed)', async () => {
      const res = await request(h.url)
        .post(PATH)
        .set('accept', 'application/json')
        .set('authorization', `Bearer ${KEY_A}`)
        .set('content-type', 'application/json')
        .send(
          '{"name": "张三", "phone": "13800000000", "id_card": "11010519491231002X"}',
        );
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.body).toMatchObject({
        result: '0',
        description: 'Authentication passed',
        isp: 'Mobile',
        result_detail: null,
      });
    });

    describe('authentication', () => {
      it.each([
        ['no Authorization header', undefined],
        ['a wrong key', 'Bearer wrong-key-1234567890'],
        [
          'the AceData token instead of an app key',
          `Bearer ${ACEDATA_TEST_TOKEN}`,
        ],
        ['a Basic scheme', `Basic ${KEY_A}`],
        ['an empty bearer', 'Bearer '],
      ])(
        '%s → 401 in AceData’s shape, nothing upstream',
        async (_label, header) => {
          let req = request(h.url).post(PATH);
          if (header !== undefined) req = req.set('authorization', header);
          const res = await req.send({
            name: TEST_NAME,
            phone: '13800000000',
            id_card: TEST_ID_CARD,
          });
          expect(res.status).toBe(401);
          expect(res.body).toMatchObject({
            success: false,
            error: { code: 'invalid_token' },
          });
          expect(h.sandbox.calls().total).toBe(0);
        },
      );
    });

    describe('invalid bodies → 400 naming the field, nothing upstream', () => {
      const valid = {
        name: TEST_NAME,
        phone: '13800000000',
        id_card: TEST_ID_CARD,
      };
      it.each([
        [
          'missing name',
          { phone: valid.phone, id_card: valid.id_card },
          'name',
        ],
        [
          'missing phone',
          { name: valid.name, id_card: valid.id_card },
          'phone',
        ],
        [
          'missing id_card',
          { name: valid.name, phone: valid.phone },
          'id_card',
        ],
        ['empty name', { ...valid, name: '' }, 'name'],
        ['name with digits', { ...valid, name: '张3' }, 'name'],
        ['name too long', { ...valid, name: '张'.repeat(51) }, 'name'],
        ['name as a number', { ...valid, name: 42 }, 'name'],
        ['name as an object', { ...valid, name: { first: '张' } }, 'name'],
        ['phone too short', { ...valid, phone: '1380000000' }, 'phone'],
        [
          'phone with a bad prefix',
          { ...valid, phone: '12800000000' },
          'phone',
        ],
        ['phone with letters', { ...valid, phone: '1380000000a' }, 'phone'],
        ['phone as a number', { ...valid, phone: 13800000000 }, 'phone'],
        ['a landline', { ...valid, phone: '01012345678' }, 'phone'],
        [
          'id_card with a bad check character',
          { ...valid, id_card: '110105194912310021' },
          'id_card',
        ],
        [
          'id_card of 15 digits',
          { ...valid, id_card: '110105491231002' },
          'id_card',
        ],
        [
          'id_card with an impossible date',
          { ...valid, id_card: '110105202302290014' },
          'id_card',
        ],
        [
          'id_card born in the future',
          { ...valid, id_card: '110105202711230012' },
          'id_card',
        ],
        [
          'id_card as an array',
          { ...valid, id_card: [valid.id_card] },
          'id_card',
        ],
        ['verify_mode "2"', { ...valid, verify_mode: '2' }, 'verify_mode'],
        [
          'verify_mode as a word',
          { ...valid, verify_mode: 'detailed' },
          'verify_mode',
        ],
        ['an unknown field', { ...valid, extra: 'x' }, 'extra'],
        [
          'a camelCase idCard instead of id_card',
          { name: valid.name, phone: valid.phone, idCard: valid.id_card },
          'idCard',
        ],
        [
          'encrypt_list with an unknown field',
          { ...valid, encrypt_list: ['password'] },
          'encrypt_list',
        ],
        [
          'encrypt_list without ciphertext_blob and iv',
          { ...valid, encrypt_list: ['name'] },
          'ciphertext_blob',
        ],
        [
          'iv without encrypt_list',
          { ...valid, iv: '0123456789abcdef' },
          'encrypt_list',
        ],
        [
          'a field listed as encrypted that is not base64',
          {
            ...valid,
            phone: '138 0000 0000',
            encrypt_list: ['phone'],
            ciphertext_blob: 'AAAA',
            iv: '0123456789abcdef',
          },
          'phone',
        ],
        [
          'a plain field still validated when another is encrypted',
          {
            ...valid,
            name: 'bQ==',
            phone: '123',
            encrypt_list: ['name'],
            ciphertext_blob: 'AAAA',
            iv: '0123456789abcdef',
          },
          'phone',
        ],
        ['a JSON array body', [valid], undefined],
      ])('%s', async (_label, body, field) => {
        const res = await post(body);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({
          success: false,
          error: { code: expect.any(String) },
        });
        if (field !== undefined) {
          expect(res.body.error.fields).toContain(field);
          expect(res.body.error.message).toContain(field);
        }
        expect(h.sandbox.calls().total).toBe(0);
      });

      it.each([0, 1, '0', '1'])(
        'verify_mode %j as AceData clients send it → accepted',
        async (mode) => {
          const res = await post({ ...valid, verify_mode: mode });
          expect(res.status).toBe(200);
        },
      );

      it.each([2, '2', 'short', true, 1.5, [1]])(
        'verify_mode %j → 400 naming verify_mode',
        async (mode) => {
          const res = await post({ ...valid, verify_mode: mode });
          expect(res.status).toBe(400);
          expect(res.body.error.fields).toEqual(['verify_mode']);
          expect(h.sandbox.calls().total).toBe(0);
        },
      );

      it.each([
        ['ciphertext_blob', { ciphertext_blob: '', iv: 'AbCdEfGh12345678' }],
        ['iv', { ciphertext_blob: 'YmxvYg==', iv: '' }],
        ['ciphertext_blob', { iv: 'AbCdEfGh12345678' }],
      ])(
        'encrypt_list with an empty or missing %s → 400 naming it, nothing upstream',
        async (field, encryption) => {
          const res = await post({
            ...valid,
            name: 'QUJDREVGR0hJSktMTU5PUA==',
            encrypt_list: ['name'],
            ...encryption,
          });
          expect(res.status).toBe(400);
          expect(res.body.error.fields).toContain(field);
          expect(h.sandbox.calls().total).toBe(0);
        },
      );

      it('deeply nested JSON → 400, never 500', async () => {
        const deep = '['.repeat(1500) + ']'.repeat(1500);
        const res = await request(h.url)
          .post(PATH)
          .set('authorization', `Bearer ${KEY_A}`)
          .set('content-type', 'application/json')
          .send(`{"name": ${deep}, "phone": "13800000000"}`);
        expect(res.status).toBe(400);
        expect(res.body.success).toBe(false);
        expect(res.body.error.may_have_billed).toBe(false);
        expect(h.sandbox.calls().total).toBe(0);
      });

      it('a malformed JSON body → 400 without echoing the body', async () => {
        const res = await request(h.url)
          .post(PATH)
          .set('authorization', `Bearer ${KEY_A}`)
          .set('content-type', 'application/json')
          .send(
            '{"name": "张三", "phone": "13800000000", "id_card": 11010519491231002X}',
          );
        expect(res.status).toBe(400);
        expect(res.body.error).toEqual({
          code: 'bad_request',
          message: 'Request body is not valid JSON',
          may_have_billed: false,
        });
        expect(h.sandbox.calls().total).toBe(0);
      });

      it('a body over 8 KB → 413', async () => {
        const res = await post({ ...valid, name: '张'.repeat(5000) });
        expect(res.status).toBe(413);
        expect(res.body).toMatchObject({
          success: false,
          error: { code: 'payload_too_large' },
        });
        expect(h.sandbox.calls().total).toBe(0);
      });
    });

    it('answers unknown routes in AceData’s shape', async () => {
      const res = await request(h.url)
        .get('/nope')
        .set('authorization', `Bearer ${KEY_A}`);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({
        success: false,
        error: { code: 'not_found', may_have_billed: false },
      });
    });

    it('a 404 never echoes the URL or its query', async () => {
      const res = await request(h.url).get(
        `/identity/phone/13812345678?id_card=${TEST_ID_CARD}&key=${KEY_A}`,
      );
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({
        code: 'not_found',
        message: 'Not found',
        may_have_billed: false,
      });
      const text = JSON.stringify(res.body);
      for (const raw of ['13812345678', TEST_ID_CARD, KEY_A, 'id_card']) {
        expect(text).not.toContain(raw);
      }
      // The access line has the path, without the query, digits masked.
      for (
        let i = 0;
        i < 40 && !h.app.output().includes('/identity/phone/');
        i++
      )
        await new Promise((r) => setTimeout(r, 50));
      const accessLine = h.app
        .output()
        .split('\n')
        .find((line) => line.includes('"path":"/identity/phone/'));
      expect(accessLine).toBeDefined();
      expect(h.app.output()).not.toContain('13812345678');
      expect(h.app.output()).not.toContain(KEY_A);
    });

    it('sends no x-powered-by header', async () => {
      const res = await post({
        name: TEST_NAME,
        phone: '13800000000',
        id_card: TEST_ID_CARD,
      });
      expect(res.headers['x-powered-by']).toBeUndefined();
    });
  },
);
