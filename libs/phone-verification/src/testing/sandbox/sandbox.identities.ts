/**
 * The sandbox's documented test identities, like card networks' test card
 * numbers: the phone number picks the behaviour; the name and ID number only
 * need to pass local validation (e.g. `张三` / `11010519491231002X`).
 */

/** What the sandbox does for a test phone number. */
export type SandboxBehaviour =
  | {
      kind: 'result';
      result: string;
      description: string;
      isp?: string;
      /** Returned in detailed mode (`verify_mode: "1"`) only. */
      detail?: string;
    }
  | {
      kind: 'error';
      status: number;
      code: string;
      message: string;
      retryAfter?: string;
    }
  | { kind: 'html502' }
  | { kind: 'reset' }
  | { kind: 'slow' }
  | { kind: 'trickle' }
  | { kind: 'oversized' }
  | { kind: 'no-result' }
  | { kind: 'not-json' };

/** A documented test phone number. */
export interface TestIdentity {
  readonly phone: string;
  readonly summary: string;
  readonly behaviour: SandboxBehaviour;
  /** Fail only the first call for this phone (after a reset), then answer code 0. */
  readonly failOnce?: boolean;
}

const result = (
  code: string,
  description: string,
  isp = 'Mobile',
  detail?: string,
): SandboxBehaviour => ({
  kind: 'result',
  result: code,
  description,
  isp,
  detail,
});

/** The name and ID number shown with the test phones in docs and examples. */
export const TEST_NAME = '张三';
/** A valid ID number to use with the test phones. */
export const TEST_ID_CARD = '11010519491231002X';

/** Every documented test phone and what it answers. */
export const TEST_IDENTITIES: readonly TestIdentity[] = [
  {
    phone: '13800000000',
    summary: 'result 0: consistent (billed)',
    behaviour: result('0', 'Authentication passed'),
  },
  {
    phone: '13800000001',
    summary:
      'result 1: inconsistent (billed); detailed mode adds PhoneNameMismatch',
    behaviour: result(
      '1',
      'Authentication failed',
      'Mobile',
      'PhoneNameMismatch',
    ),
  },
  {
    phone: '13800000002',
    summary: 'result -1: no record',
    behaviour: result('-1', 'No record found'),
  },
  {
    phone: '13800000003',
    summary: 'result -2: unknown engine error',
    behaviour: result('-2', 'Engine unknown error'),
  },
  {
    phone: '13800000004',
    summary: 'result -3: engine service exception',
    behaviour: result('-3', 'Engine service exception'),
  },
  {
    phone: '13800000005',
    summary: 'result -4: name verification failed',
    behaviour: result('-4', 'Name verification failed'),
  },
  {
    phone: '13800000006',
    summary: 'result -5: invalid mobile number',
    behaviour: result('-5', 'Invalid mobile number'),
  },
  {
    phone: '13800000007',
    summary: 'result -6: too many attempts today',
    behaviour: result('-6', 'Too many attempts today'),
  },
  {
    phone: '13800000009',
    summary: 'result -9: a code the library does not know (status unknown)',
    behaviour: result('-9', 'Carrier system busy'),
  },
  {
    phone: '13900000010',
    summary: 'result 0, isp "Mobile"',
    behaviour: result('0', 'Authentication passed', 'Mobile'),
  },
  {
    phone: '13900000011',
    summary: 'result 0, isp "移动"',
    behaviour: result('0', '认证通过', '移动'),
  },
  {
    phone: '13900000012',
    summary: 'result 0, isp "China Unicom"',
    behaviour: result('0', 'Authentication passed', 'China Unicom'),
  },
  {
    phone: '13900000013',
    summary: 'result 0, isp "联通"',
    behaviour: result('0', '认证通过', '联通'),
  },
  {
    phone: '13900000014',
    summary: 'result 0, isp "Telecom"',
    behaviour: result('0', 'Authentication passed', 'Telecom'),
  },
  {
    phone: '13900000015',
    summary: 'result 0, isp "电信"',
    behaviour: result('0', '认证通过', '电信'),
  },
  {
    phone: '13900000016',
    summary: 'result 0, isp ""',
    behaviour: result('0', 'Authentication passed', ''),
  },
  {
    phone: '13700000021',
    summary: 'result 1; detailed: PhoneIdCardMismatch',
    behaviour: result(
      '1',
      'Authentication failed',
      'Mobile',
      'PhoneIdCardMismatch',
    ),
  },
  {
    phone: '13700000022',
    summary: 'result 1; detailed: PhoneNameMismatch',
    behaviour: result(
      '1',
      'Authentication failed',
      'Mobile',
      'PhoneNameMismatch',
    ),
  },
  {
    phone: '13700000023',
    summary: 'result 1; detailed: PhoneNameIdCardMismatch',
    behaviour: result(
      '1',
      'Authentication failed',
      'Mobile',
      'PhoneNameIdCardMismatch',
    ),
  },
  {
    phone: '13700000024',
    summary: 'result 1; detailed: NameIdCardMismatch',
    behaviour: result(
      '1',
      'Authentication failed',
      'Mobile',
      'NameIdCardMismatch',
    ),
  },
  {
    phone: '13700000025',
    summary: 'result 1; detailed: OtherMismatch',
    behaviour: result('1', 'Authentication failed', 'Mobile', 'OtherMismatch'),
  },
  {
    phone: '13600000429',
    summary: 'HTTP 429 too_many_requests, Retry-After: 1',
    behaviour: {
      kind: 'error',
      status: 429,
      code: 'too_many_requests',
      message: 'Too many requests',
      retryAfter: '1',
    },
  },
  {
    phone: '13600000500',
    summary: 'HTTP 500 api_error',
    behaviour: {
      kind: 'error',
      status: 500,
      code: 'api_error',
      message: 'fetch failed',
    },
  },
  {
    phone: '13600000400',
    summary: 'HTTP 400 token_mismatched',
    behaviour: {
      kind: 'error',
      status: 400,
      code: 'token_mismatched',
      message: 'Token mismatched',
    },
  },
  {
    phone: '13600000404',
    summary: 'HTTP 400 api_not_implemented',
    behaviour: {
      kind: 'error',
      status: 400,
      code: 'api_not_implemented',
      message: 'API not implemented',
    },
  },
  {
    phone: '13600000502',
    summary: 'HTTP 502 with an HTML body (a gateway)',
    behaviour: { kind: 'html502' },
  },
  {
    phone: '13600000001',
    summary:
      'connection reset after the request was read, before any answer (may have been billed)',
    behaviour: { kind: 'reset' },
  },
  {
    phone: '13600000002',
    summary: 'no answer for 60 s (past any sane timeout)',
    behaviour: { kind: 'slow' },
  },
  {
    phone: '13600000005',
    summary:
      'HTTP 200 whose body trickles in, one byte every 500 ms (about 40 s in all)',
    behaviour: { kind: 'trickle' },
  },
  {
    phone: '13600000006',
    summary: 'HTTP 200 with a 1 MB body (past any sane size limit)',
    behaviour: { kind: 'oversized' },
  },
  {
    phone: '13600000003',
    summary: 'HTTP 200 without "result"',
    behaviour: { kind: 'no-result' },
  },
  {
    phone: '13600000004',
    summary: 'HTTP 200 with a body that is not JSON',
    behaviour: { kind: 'not-json' },
  },
  {
    phone: '13600001429',
    summary: 'HTTP 429 (Retry-After: 1) on the first call, then result 0',
    failOnce: true,
    behaviour: {
      kind: 'error',
      status: 429,
      code: 'too_many_requests',
      message: 'Too many requests',
      retryAfter: '1',
    },
  },
  {
    phone: '13600001500',
    summary: 'HTTP 500 on the first call, then result 0',
    failOnce: true,
    behaviour: {
      kind: 'error',
      status: 500,
      code: 'api_error',
      message: 'fetch failed',
    },
  },
  {
    phone: '13600001001',
    summary:
      'connection reset after the request on the first call, then result 0 (a client that retries it pays twice)',
    failOnce: true,
    behaviour: { kind: 'reset' },
  },
  {
    phone: '13600001003',
    summary: 'result -2 on the first call, then result 0',
    failOnce: true,
    behaviour: result('-2', 'Engine unknown error'),
  },
];

/** Test identities by phone number. */
export const TEST_IDENTITIES_BY_PHONE: ReadonlyMap<string, TestIdentity> =
  new Map(TEST_IDENTITIES.map((identity) => [identity.phone, identity]));
