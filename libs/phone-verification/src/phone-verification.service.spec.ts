import { Test } from '@nestjs/testing';
import { ScriptedUpstream } from './testing/scripted-upstream.js';
import {
  InvalidInputError,
  PhoneVerificationModule,
  PhoneVerificationService,
} from './index.js';
import {
  ApiNotImplementedError,
  BalanceUsedUpError,
  CredentialsDisabledError,
  NoSuchApiError,
  UpstreamGatewayTimeoutError,
  InvalidTokenError,
  MalformedUpstreamResponseError,
  TokenMismatchedError,
  UpstreamConnectionError,
  UpstreamConnectionLostError,
  UpstreamHttpError,
  UpstreamRateLimitedError,
  UpstreamServerError,
  UpstreamTimeoutError,
} from './errors/index.js';
import { rejectionOf } from './testing/rejection-of.js';

const TOKEN = 'test-token-6f1d2c9a';
/** An `x-trace-id` header, when Node can send the value (not a NUL). */
const sendable = (value: string): Record<string, string> =>
  /^[\x20-\x7e]*$/.test(value) ? { 'x-trace-id': value } : {};
const SUBJECT = {
  name: '张三',
  phone: '13812345678',
  idCard: '11010519491231002X',
};

describe('PhoneVerificationService against a real HTTP upstream', () => {
  let upstream: ScriptedUpstream;
  let service: PhoneVerificationService;
  // Far above a loopback answer even on a loaded machine (400 ms timed out
  // a plain answer once in CI), far below the trickling body's ~4 s.
  const TIMEOUT_MS = 1_500;

  beforeAll(async () => {
    upstream = await ScriptedUpstream.start();
    const moduleRef = await Test.createTestingModule({
      imports: [
        PhoneVerificationModule.forRoot({
          apiToken: TOKEN,
          baseUrl: upstream.url,
          timeoutMs: TIMEOUT_MS,
          // One attempt each: this spec is about mapping; retries have their own.
          retry: false,
          circuitBreaker: false,
        }),
      ],
    }).compile();
    service = moduleRef.get(PhoneVerificationService);
  });

  afterAll(() => upstream.close());
  beforeEach(() => upstream.reset());

  describe('the request it sends', () => {
    it('posts the snake_case body with the bearer token to the endpoint', async () => {
      await service.verify({
        name: ' 张三 ',
        phone: '+86 138-1234-5678',
        idCard: '11010519491231002x',
      });
      expect(upstream.requests).toHaveLength(1);
      const [request] = upstream.requests;
      expect(request.method).toBe('POST');
      expect(request.url).toBe('/identity/phone/check-3e');
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(request.headers['content-type']).toMatch(/^application\/json/);
      expect(request.headers.accept).toMatch(/application\/json/);
      expect(request.body).toEqual({
        name: '张三',
        phone: '13812345678',
        id_card: '11010519491231002X',
        verify_mode: '0',
      });
    });

    it('sends verify_mode "1" for the detailed mode', async () => {
      await service.verify({ ...SUBJECT, verifyMode: 'detailed' });
      expect(
        (upstream.requests[0].body as { verify_mode: string }).verify_mode,
      ).toBe('1');
    });

    it('rejects bad input naming every bad field, without calling upstream', async () => {
      const error = await rejectionOf(
        service.verify({
          name: '张3',
          phone: '12345',
          idCard: '11010519491231002Y',
        }),
      );
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).fields).toEqual([
        'name',
        'phone',
        'idCard',
      ]);
      expect(error.message).toMatch(/^name .*; phone .*; idCard /);
      expect(error.mayHaveBilled).toBe(false);
      expect(upstream.requests).toHaveLength(0);
    });

    it('rejects an unknown verify mode without calling upstream', async () => {
      const error = await rejectionOf(
        service.verify({ ...SUBJECT, verifyMode: 'long' as 'detailed' }),
      );
      expect((error as InvalidInputError).fields).toEqual(['verifyMode']);
      expect(upstream.requests).toHaveLength(0);
    });
  });

  describe('results (HTTP 200)', () => {
    it.each([
      ['0', 0, 'consistent', true],
      ['1', 1, 'inconsistent', true],
      ['-1', -1, 'no_record', false],
      ['-2', -2, 'engine_error', false],
      ['-3', -3, 'engine_unavailable', false],
      ['-4', -4, 'name_invalid', 'maybe'],
      ['-5', -5, 'phone_invalid', false],
      ['-6', -6, 'daily_limit_exceeded', false],
      ['-9', -9, 'unknown', false],
      ['7', 7, 'unknown', false],
    ])(
      'maps result "%s" to code %d, %s, billable %s',
      async (wire, code, status, billable) => {
        upstream.respond({
          status: 200,
          body: {
            result: wire,
            description: `desc ${wire}`,
            isp: 'Mobile',
            result_detail: null,
          },
        });
        const result = await service.verify(SUBJECT);
        expect(result).toEqual({
          code,
          status,
          billable,
          // Fetched for this call: charged as the code is billed.
          charged: billable,
          description: `desc ${wire}`,
          carrier: 'china_mobile',
          isp: 'Mobile',
          detail: null,
          fromCache: false,
          shared: false,
        });
      },
    );

    it('accepts a numeric result code too', async () => {
      upstream.respond({
        status: 200,
        body: { result: 1, description: 'x', isp: '' },
      });
      expect(await service.verify(SUBJECT)).toMatchObject({
        code: 1,
        status: 'inconsistent',
        billable: true,
        charged: true,
      });
    });

    it.each([
      ['Mobile', 'china_mobile'],
      ['移动', 'china_mobile'],
      ['China Unicom', 'china_unicom'],
      ['联通', 'china_unicom'],
      ['Telecom', 'china_telecom'],
      ['电信', 'china_telecom'],
      ['广电', 'china_broadnet'],
      ['', 'unknown'],
      ['Some MVNO', 'unknown'],
    ])(
      'normalises the carrier %j to %s and keeps only a known spelling',
      async (raw, isp) => {
        upstream.respond({
          status: 200,
          body: { result: '0', description: '认证通过', isp: raw },
        });
        const result = await service.verify(SUBJECT);
        expect(result.carrier).toBe(isp);
        expect(result.isp).toBe(isp === 'unknown' ? '' : raw);
        expect(result.description).toBe('认证通过');
      },
    );

    describe('every value from upstream is untrusted', () => {
      const echoes = [
        SUBJECT.name,
        SUBJECT.phone,
        SUBJECT.idCard,
        TOKEN,
        SUBJECT.idCard.slice(0, 14),
      ];
      const expectNoEcho = (value: unknown) => {
        const text = JSON.stringify(value);
        for (const raw of echoes) expect(text).not.toContain(raw);
      };

      it('an upstream echoing the request leaves no identity in the result', async () => {
        upstream.respond({
          status: 200,
          body: {
            result: '1',
            description: `${SUBJECT.name} ${SUBJECT.phone} ${SUBJECT.idCard} mismatch`,
            isp: SUBJECT.idCard,
            result_detail: `${SUBJECT.name}/${SUBJECT.phone}`,
            trace_id: SUBJECT.phone,
          },
          headers: { 'x-trace-id': `t-${SUBJECT.idCard}` },
        });
        const result = await service.verify(SUBJECT);
        expect(result).toMatchObject({ code: 1, isp: '', carrier: 'unknown' });
        expect(result.traceId).toBeUndefined();
        expectNoEcho(result);
      });

      it('bounds a huge description and detail, drops control characters, and keeps a plain trace id', async () => {
        upstream.respond({
          status: 200,
          body: {
            result: 0,
            description: `ok\u0000\u001b[31m${'描述'.repeat(40_000)}`,
            isp: 'Mobile',
            result_detail: 'x'.repeat(10_000),
            trace_id: '2cf86e86-22a4-46e1-ac2f-032c0f2a4e89',
          },
        });
        const result = await service.verify(SUBJECT);
        expect([...result.description].length).toBeLessThanOrEqual(200);
        expect(result.description.startsWith('ok[31m描述')).toBe(true);
        expect((result.detail as string).length).toBeLessThanOrEqual(200);
        expect(result.traceId).toBe('2cf86e86-22a4-46e1-ac2f-032c0f2a4e89');
      });

      it.each([
        ['a NUL', 't\u0000x'],
        ['6000 characters', 'a'.repeat(6_000)],
        ['spaces and markup', '<script>alert(1)</script>'],
        ['part of the ID number (its birth date)', 'trace-19491231-ab'],
      ])('drops a trace id with %s (body or header)', async (_what, id) => {
        upstream.respond({
          status: 200,
          body: { result: '0', description: 'ok', isp: '', trace_id: id },
          headers: sendable(id),
        });
        expect((await service.verify(SUBJECT)).traceId).toBeUndefined();
        upstream.respond({
          status: 503,
          body: { error: { code: 'api_error', message: 'busy' }, trace_id: id },
          headers: sendable(id),
        });
        const error = await rejectionOf(service.verify(SUBJECT));
        expect(error).toBeInstanceOf(UpstreamServerError);
        expect(error.traceId).toBeUndefined();
      });

      it.each([3_000_000_000, -100_000, 1e21])(
        'takes a result code of %d for a malformed answer that may have been billed',
        async (code) => {
          upstream.respond({
            status: 200,
            body: { result: code, description: 'ok', isp: '' },
          });
          const error = await rejectionOf(service.verify(SUBJECT));
          expect(error).toBeInstanceOf(MalformedUpstreamResponseError);
          expect(error.mayHaveBilled).toBe(true);
        },
      );

      it('bounds and redacts an error body that echoes the request', async () => {
        upstream.respond({
          status: 400,
          body: {
            error: {
              code: `bad_${SUBJECT.phone}`,
              message: `${SUBJECT.name} ${SUBJECT.idCard} ${'m'.repeat(5_000)}`,
            },
            trace_id: SUBJECT.idCard,
          },
        });
        const error = await rejectionOf(service.verify(SUBJECT));
        expect(error).toBeInstanceOf(UpstreamHttpError);
        expect(error.traceId).toBeUndefined();
        const json = (error as UpstreamHttpError).toJSON();
        expect(String(json.upstreamMessage).length).toBeLessThanOrEqual(200);
        expectNoEcho(json);
        expectNoEcho(error.message);
      });
    });

    it.each([
      'PhoneIdCardMismatch',
      'PhoneNameMismatch',
      'PhoneNameIdCardMismatch',
      'NameIdCardMismatch',
      'OtherMismatch',
    ])('keeps the detailed mismatch %s', async (detail) => {
      upstream.respond({
        status: 200,
        body: {
          result: '1',
          description: 'mismatch',
          isp: '电信',
          result_detail: detail,
        },
      });
      expect(
        (await service.verify({ ...SUBJECT, verifyMode: 'detailed' })).detail,
      ).toBe(detail);
    });

    it('keeps a trace id sent with a result', async () => {
      upstream.respond({
        status: 200,
        body: { result: '0', isp: 'Mobile', trace_id: 'trace-42' },
      });
      expect((await service.verify(SUBJECT)).traceId).toBe('trace-42');
    });
  });

  describe('documented errors', () => {
    it.each([
      [400, 'token_mismatched', TokenMismatchedError, false],
      [400, 'api_not_implemented', ApiNotImplementedError, false],
      [401, 'invalid_token', InvalidTokenError, false],
      [429, 'too_many_requests', UpstreamRateLimitedError, true],
      [500, 'api_error', UpstreamServerError, true],
      [401, 'token_mismatched', TokenMismatchedError, false],
      [403, 'used_up', BalanceUsedUpError, false],
      [403, 'disabled', CredentialsDisabledError, false],
      [404, 'no_api', NoSuchApiError, false],
    ])('HTTP %d %s → %p', async (status, code, type, retryable) => {
      upstream.respond({
        status,
        body: {
          success: false,
          error: { code, message: 'fetch failed' },
          trace_id: 'trace-err',
        },
      });
      const error = await rejectionOf(service.verify(SUBJECT));
      expect(error).toBeInstanceOf(type);
      expect(error.code).toBe(code);
      expect(error.httpStatus).toBe(status);
      expect(error.traceId).toBe('trace-err');
      expect(error.retryable).toBe(retryable);
      expect(error.mayHaveBilled).toBe(false);
      expect(upstream.requests).toHaveLength(1);
    });

    it('reads Retry-After in seconds on a 429', async () => {
      upstream.respond({
        status: 429,
        headers: { 'retry-after': '3' },
        body: { error: { code: 'too_many_requests' } },
      });
      const error = (await rejectionOf(
        service.verify(SUBJECT),
      )) as UpstreamRateLimitedError;
      expect(error.retryAfterMs).toBe(3000);
    });

    it('reads Retry-After as an HTTP date on a 429', async () => {
      const inFiveSeconds = new Date(Date.now() + 5000).toUTCString();
      upstream.respond({
        status: 429,
        headers: { 'retry-after': inFiveSeconds },
        body: { error: 'too_many_requests' },
      });
      const error = (await rejectionOf(
        service.verify(SUBJECT),
      )) as UpstreamRateLimitedError;
      expect(error.retryAfterMs).toBeGreaterThan(2000);
      expect(error.retryAfterMs).toBeLessThanOrEqual(5000);
    });

    it('parses an error given as a bare code string, with success and trace_id missing', async () => {
      upstream.respond({ status: 401, body: { error: 'invalid_token' } });
      const error = await rejectionOf(service.verify(SUBJECT));
      expect(error).toBeInstanceOf(InvalidTokenError);
      expect(error.traceId).toBeUndefined();
    });

    it('parses an error given as a bare message string', async () => {
      upstream.respond({ status: 500, body: { error: 'fetch failed' } });
      const error = (await rejectionOf(
        service.verify(SUBJECT),
      )) as UpstreamServerError;
      expect(error).toBeInstanceOf(UpstreamServerError);
      expect(error.upstreamMessage).toBe('fetch failed');
    });

    it('maps an unknown error code and status to UpstreamHttpError', async () => {
      upstream.respond({
        status: 403,
        body: { error: { code: 'forbidden', message: 'no' } },
      });
      const error = (await rejectionOf(
        service.verify(SUBJECT),
      )) as UpstreamHttpError;
      expect(error).toBeInstanceOf(UpstreamHttpError);
      expect(error.upstreamCode).toBe('forbidden');
      expect(error.retryable).toBe(false);
    });

    it('falls back on the status when the body has no code (401, 429, 5xx)', async () => {
      upstream.respond({ status: 401, body: {} });
      expect(await rejectionOf(service.verify(SUBJECT))).toBeInstanceOf(
        InvalidTokenError,
      );
      upstream.respond({ status: 429, body: { success: false } });
      expect(await rejectionOf(service.verify(SUBJECT))).toBeInstanceOf(
        UpstreamRateLimitedError,
      );
      upstream.respond({ status: 503, body: { success: false } });
      expect(await rejectionOf(service.verify(SUBJECT))).toBeInstanceOf(
        UpstreamServerError,
      );
    });

    it('redacts subject data that an upstream message echoes', async () => {
      upstream.respond({
        status: 500,
        body: {
          error: {
            code: 'api_error',
            message: `failed for 张三 13812345678 11010519491231002X ${TOKEN}`,
          },
        },
      });
      const error = (await rejectionOf(
        service.verify(SUBJECT),
      )) as UpstreamServerError;
      expect(error.upstreamMessage).toBe(
        'failed for [redacted] [redacted] [redacted] [redacted]',
      );
    });
  });

  describe("AceData's gateway timing out (504)", () => {
    it.each([
      [
        'its documented body',
        { error: { code: 'timeout', message: 'gateway timeout' } },
      ],
      ['a body it does not name', { error: 'upstream request timeout' }],
      ['a body that says api_error', { error: { code: 'api_error' } }],
    ])(
      'with %s: may have been billed, and never retried',
      async (_what, body) => {
        const retrying = await Test.createTestingModule({
          imports: [
            PhoneVerificationModule.forRoot({
              apiToken: TOKEN,
              baseUrl: upstream.url,
              timeoutMs: TIMEOUT_MS,
              retry: { maxAttempts: 3, baseDelayMs: 1 },
              circuitBreaker: false,
            }),
          ],
        }).compile();
        upstream.respond({ status: 504, body });
        const error = await rejectionOf(
          retrying.get(PhoneVerificationService).verify(SUBJECT),
        );
        expect(error).toBeInstanceOf(UpstreamGatewayTimeoutError);
        expect(error.mayHaveBilled).toBe(true);
        expect(error.retryable).toBe(false);
        expect(upstream.requests).toHaveLength(1);
        await retrying.close();
      },
    );
  });

  describe('malformed answers', () => {
    it('an HTML 502 from a gateway is a retryable malformed response, not billed', async () => {
      upstream.respond({
        status: 502,
        rawBody: '<html><body>502 Bad Gateway</body></html>',
      });
      const error = await rejectionOf(service.verify(SUBJECT));
      expect(error).toBeInstanceOf(MalformedUpstreamResponseError);
      expect(error.httpStatus).toBe(502);
      expect(error.retryable).toBe(true);
      expect(error.mayHaveBilled).toBe(false);
    });

    it.each([
      ['a non-JSON 200', { status: 200, rawBody: 'OK' }],
      [
        'a 200 without result',
        { status: 200, body: { description: 'passed', isp: 'Mobile' } },
      ],
      [
        'a 200 with a non-numeric result',
        { status: 200, body: { result: 'passed' } },
      ],
      ['a 200 with an array', { status: 200, body: [{ result: '0' }] }],
      ['a 200 with null', { status: 200, body: null }],
    ])('%s is malformed and may have been billed', async (_label, answer) => {
      upstream.respond(answer);
      const error = await rejectionOf(service.verify(SUBJECT));
      expect(error).toBeInstanceOf(MalformedUpstreamResponseError);
      expect(error.httpStatus).toBe(200);
      expect(error.mayHaveBilled).toBe(true);
      expect(error.retryable).toBe(false);
    });
  });

  describe('transport failures', () => {
    it('a slow upstream hits the timeout: may have been billed, not retryable', async () => {
      upstream.respond({ hang: true });
      const started = Date.now();
      const error = await rejectionOf(service.verify(SUBJECT));
      expect(error).toBeInstanceOf(UpstreamTimeoutError);
      expect((error as UpstreamTimeoutError).timeoutMs).toBe(TIMEOUT_MS);
      expect(error.mayHaveBilled).toBe(true);
      expect(error.retryable).toBe(false);
      expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    });

    it('a connection reset after the request was written may have been billed: not retryable', async () => {
      upstream.respond({ reset: true });
      const error = await rejectionOf(service.verify(SUBJECT));
      expect(error).toBeInstanceOf(UpstreamConnectionLostError);
      expect((error as UpstreamConnectionLostError).systemCode).toBe(
        'ECONNRESET',
      );
      expect(error.retryable).toBe(false);
      expect(error.mayHaveBilled).toBe(true);
    });

    it('a 200 too large to read may have been billed: not retryable', async () => {
      upstream.respond({ oversizedBytes: 1024 * 1024 });
      const error = await rejectionOf(service.verify(SUBJECT));
      expect(error).toBeInstanceOf(MalformedUpstreamResponseError);
      expect(error.httpStatus).toBe(200);
      expect(error.retryable).toBe(false);
      expect(error.mayHaveBilled).toBe(true);
    });

    it('the timeout bounds the whole call: a trickling 200 body is cut off', async () => {
      // 1 byte / 50 ms: the socket is never idle, the body takes ~4 s.
      upstream.respond({ trickleEveryMs: 50 });
      const started = Date.now();
      const error = await rejectionOf(service.verify(SUBJECT));
      const elapsed = Date.now() - started;
      expect(error).toBeInstanceOf(UpstreamTimeoutError);
      expect(error.mayHaveBilled).toBe(true);
      expect(error.retryable).toBe(false);
      expect(elapsed).toBeLessThan(TIMEOUT_MS * 4);
    });

    it('a refused connection is a retryable connection error', async () => {
      const closed = await ScriptedUpstream.start();
      const url = closed.url;
      await closed.close();
      const moduleRef = await Test.createTestingModule({
        imports: [
          PhoneVerificationModule.forRoot({ apiToken: TOKEN, baseUrl: url }),
        ],
      }).compile();
      const error = await rejectionOf(
        moduleRef.get(PhoneVerificationService).verify(SUBJECT),
      );
      expect(error).toBeInstanceOf(UpstreamConnectionError);
      expect((error as UpstreamConnectionError).systemCode).toBe(
        'ECONNREFUSED',
      );
    });
  });
});
