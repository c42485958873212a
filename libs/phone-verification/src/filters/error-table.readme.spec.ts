import { readFileSync } from 'node:fs';
import {
  BudgetExhaustedError,
  BudgetStoreUnavailableError,
} from '../errors/budget.errors.js';
import { InvalidInputError } from '../errors/invalid-input.error.js';
import { LedgerUnavailableError } from '../errors/ledger.errors.js';
import type { PhoneVerificationError } from '../errors/phone-verification.error.js';
import {
  MalformedUpstreamResponseError,
  UpstreamConnectionError,
  UpstreamConnectionLostError,
  UpstreamTimeoutError,
} from '../errors/transport.errors.js';
import {
  ApiNotImplementedError,
  BalanceUsedUpError,
  CredentialsDisabledError,
  InvalidTokenError,
  NoSuchApiError,
  UpstreamGatewayTimeoutError,
  TokenMismatchedError,
  UpstreamHttpError,
  UpstreamRateLimitedError,
  UpstreamServerError,
} from '../errors/upstream-api.errors.js';
import { UpstreamUnavailableError } from '../errors/upstream-unavailable.error.js';
import { httpAnswerFor } from './http-answer.js';

/**
 * Each kind of error the library throws, with what a reader needs that the
 * code cannot say. The README's error table must be exactly what these
 * errors and `httpAnswerFor` produce; on a mismatch this prints the table.
 */
const KINDS: { error: PhoneVerificationError; when: string; todo: string }[] = [
  {
    error: new InvalidInputError([
      { field: 'phone', message: 'phone must not be empty' },
    ]),
    when: 'local validation failed; `fields` names them',
    todo: 'fix the input; nothing was sent',
  },
  {
    error: new TokenMismatchedError({ httpStatus: 400 }),
    when: 'AceData: the token is not for this API',
    todo: 'check `ACEDATA_API_TOKEN`',
  },
  {
    error: new ApiNotImplementedError({ httpStatus: 400 }),
    when: 'AceData: the API is not enabled for this token',
    todo: 'enable the API in AceData’s console',
  },
  {
    error: new InvalidTokenError({ httpStatus: 401 }),
    when: 'AceData: the token is missing or invalid',
    todo: 'check `ACEDATA_API_TOKEN`',
  },
  {
    error: new CredentialsDisabledError({ httpStatus: 403 }),
    when: 'AceData’s gateway: the key or its application is disabled',
    todo: 'enable it in AceData’s console',
  },
  {
    error: new BalanceUsedUpError({ httpStatus: 403 }),
    when: 'AceData’s gateway: the account balance is spent (logged loudly)',
    todo: 'top the balance up; nothing was sent that could bill',
  },
  {
    error: new NoSuchApiError({ httpStatus: 404 }),
    when: 'AceData’s gateway: no such API',
    todo: 'check `ACEDATA_BASE_URL`',
  },
  {
    error: new UpstreamGatewayTimeoutError({ httpStatus: 504 }),
    when: 'AceData’s gateway gave up waiting (504)',
    todo: 'do not repeat blindly: it may have been billed',
  },
  {
    error: new UpstreamRateLimitedError({
      httpStatus: 429,
      retryAfterMs: 1_000,
    }),
    when: 'AceData answered 429 (`retryAfterMs`)',
    todo: 'retry after `Retry-After`',
  },
  {
    error: new UpstreamServerError({ httpStatus: 500 }),
    when: 'AceData answered 5xx',
    todo: 'retry later',
  },
  {
    error: new UpstreamHttpError({ httpStatus: 404 }),
    when: 'AceData answered another 4xx',
    todo: 'report it with the trace id',
  },
  {
    error: new MalformedUpstreamResponseError(502, 'an HTML page'),
    when: 'an unreadable 5xx (a gateway’s HTML page)',
    todo: 'retry later',
  },
  {
    error: new MalformedUpstreamResponseError(200, 'a body that is not JSON'),
    when: 'a 200 without a readable result, or a body cut off or over 256 KB',
    todo: 'do not repeat blindly: it may have been billed',
  },
  {
    error: new UpstreamConnectionError('ECONNREFUSED'),
    when: 'refused, DNS, TLS, or broken before the request was written',
    todo: 'retry; nothing was sent',
  },
  {
    error: new UpstreamConnectionLostError('ECONNRESET'),
    when: 'the connection broke after the request was written',
    todo: 'do not repeat blindly: it may have been billed',
  },
  {
    error: new UpstreamTimeoutError(15_000),
    when: 'the whole call took over `timeoutMs`',
    todo: 'do not repeat blindly: it may have been billed',
  },
  {
    error: new UpstreamTimeoutError(15_000, false),
    when: 'timed out before the request was written',
    todo: 'retry; nothing was sent',
  },
  {
    error: new UpstreamUnavailableError(),
    when: 'the circuit breaker is open: not sent',
    todo: 'retry after the cool-down',
  },
  {
    error: new UpstreamUnavailableError('no_pacing_slot'),
    when: 'no `pacing` slot before the retry deadline: not sent',
    todo: 'retry later, or lower the concurrency',
  },
  {
    error: new BudgetExhaustedError(
      'deployment',
      new Date(Date.now() + 3_600_000),
    ),
    when: 'a daily spend budget is spent: not sent',
    todo: 'wait for `resetsAt` (midnight, China time)',
  },
  {
    error: new BudgetStoreUnavailableError(),
    when: 'the budget’s Redis is away: not sent',
    todo: 'retry when Redis is back',
  },
  {
    error: new LedgerUnavailableError(),
    when: 'the ledger’s store cannot record the call (no spool): not sent',
    todo: 'retry when the store is back',
  },
];

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

function errorTable(): string {
  const rows = KINDS.map(({ error, when, todo }) => {
    const answer = httpAnswerFor(error, 'trace');
    const retryAfter =
      answer.retryAfterSeconds === undefined ? '' : ' + `Retry-After`';
    return (
      `| \`${error.constructor.name}\` | \`${error.code}\` | ${when} | ` +
      `\`${answer.body.error.code}\` ${answer.status}${retryAfter} | ` +
      `${yesNo(error.retryable)} | ${yesNo(error.mayHaveBilled)} | ${todo} |`
    );
  });
  return [
    '| error | `code` | when | HTTP answer (body `error.code`, status) | `retryable` | `may_have_billed` | what to do |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

describe("the README's error table", () => {
  it('is what the errors and httpAnswerFor say', () => {
    const readme = readFileSync('libs/phone-verification/README.md', 'utf8');
    const table = errorTable();
    // On a mismatch, the message is the table the README should hold.
    expect({ readmeHoldsTable: readme.includes(table) }).toEqual({
      readmeHoldsTable: true,
      ...(readme.includes(table) ? {} : { table }),
    });
  });
});
