import { inspect } from 'node:util';
import { Test } from '@nestjs/testing';
import {
  ScriptedUpstream,
  type UpstreamAnswer,
} from '../testing/scripted-upstream.js';
import { rejectionOf } from '../testing/rejection-of.js';
import {
  InvalidInputError,
  PhoneVerificationError,
  PhoneVerificationModule,
  PhoneVerificationService,
} from '../index.js';

const TOKEN = 'sk-privacy-0b5e7f3c1a9d';
const SUBJECT = {
  name: '欧阳娜娜',
  phone: '13912345678',
  idCard: '440304199001011233',
};
const RAW = [
  TOKEN,
  SUBJECT.name,
  SUBJECT.phone,
  SUBJECT.idCard,
  '139 1234 5678',
];

/** An upstream that echoes everything it received into every error. */
function echoing(
  status: number,
  shape: 'object' | 'string',
): (req: {
  rawBody: string;
  headers: Record<string, unknown>;
}) => UpstreamAnswer {
  return (req) => {
    const echo = `${req.rawBody} ${String(req.headers.authorization)}`;
    return {
      status,
      headers: { 'x-trace-id': 'trace-1' },
      body:
        shape === 'object'
          ? {
              success: false,
              error: { code: 'some_code ' + echo, message: echo },
              trace_id: 'trace-1',
            }
          : { error: echo },
    };
  };
}

const SCENARIOS: [string, UpstreamAnswer | ReturnType<typeof echoing>][] = [
  [
    '400 token_mismatched',
    (r) => ({
      status: 400,
      body: { error: { code: 'token_mismatched', message: r.rawBody } },
    }),
  ],
  [
    '400 api_not_implemented',
    (r) => ({
      status: 400,
      body: { error: { code: 'api_not_implemented', message: r.rawBody } },
    }),
  ],
  [
    '401 invalid_token',
    (r) => ({
      status: 401,
      body: {
        error: {
          code: 'invalid_token',
          message: String(r.headers.authorization),
        },
      },
    }),
  ],
  [
    '429 too_many_requests',
    (r) => ({
      status: 429,
      headers: { 'retry-after': '1' },
      body: { error: { code: 'too_many_requests', message: r.rawBody } },
    }),
  ],
  [
    '500 api_error',
    (r) => ({
      status: 500,
      body: { error: { code: 'api_error', message: r.rawBody } },
    }),
  ],
  ['403 unknown code echoing', echoing(403, 'object')],
  ['500 bare string echoing', echoing(500, 'string')],
  [
    '502 HTML echoing',
    (r) => ({ status: 502, rawBody: `<html>${r.rawBody}</html>` }),
  ],
  [
    '200 without result echoing',
    (r) => ({ status: 200, body: { description: r.rawBody } }),
  ],
  [
    '200 non-JSON echoing',
    (r) => ({ status: 200, rawBody: r.rawBody.slice(1) }),
  ],
  ['timeout', { hang: true }],
  ['connection reset', { reset: true }],
];

function renderings(error: PhoneVerificationError): string[] {
  return [
    JSON.stringify(error),
    inspect(error, { depth: 10, showHidden: true }),
    String(error),
    error.stack ?? '',
    error.message,
    JSON.stringify(Object.getOwnPropertyDescriptors(error)),
  ];
}

describe('errors never carry subject data or the token', () => {
  let upstream: ScriptedUpstream;
  let service: PhoneVerificationService;

  beforeAll(async () => {
    upstream = await ScriptedUpstream.start();
    const moduleRef = await Test.createTestingModule({
      imports: [
        PhoneVerificationModule.forRoot({
          apiToken: TOKEN,
          baseUrl: upstream.url,
          timeoutMs: 300,
          retry: false,
          circuitBreaker: false,
        }),
      ],
    }).compile();
    service = moduleRef.get(PhoneVerificationService);
  });
  afterAll(() => upstream.close());

  it.each(SCENARIOS)('%s', async (_label, answer) => {
    upstream.respond(answer as never);
    const error = await rejectionOf(
      service.verify({ ...SUBJECT, phone: '139 1234 5678' }),
    );
    expect(error.cause).toBeUndefined();
    for (const text of renderings(error)) {
      for (const raw of RAW) expect(text).not.toContain(raw);
    }
  });

  it('validation errors name the fields but not the values', async () => {
    const bad = {
      name: '欧阳娜娜3',
      phone: '1391234567',
      idCard: '440304199001011234',
    };
    const error = await rejectionOf(service.verify(bad), InvalidInputError);
    for (const text of renderings(error)) {
      for (const raw of Object.values(bad)) expect(text).not.toContain(raw);
    }
    expect((error as InvalidInputError).fields).toEqual([
      'name',
      'phone',
      'idCard',
    ]);
  });
});
