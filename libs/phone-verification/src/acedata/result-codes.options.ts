import { PHONE_VERIFICATION_STATUSES } from '../dto/phone-verification-result.js';
import { InvalidPhoneVerificationOptionsError } from '../errors/boot.errors.js';
import { ResultCodeTable, type ResultCodeMeaning } from './result-codes.js';

/** A code's new meaning; a field left out keeps the documented one. */
export type ResultCodeOverride = Partial<ResultCodeMeaning>;

/**
 * Overrides of AceData's result codes, keyed by the code (`"-4"`), for when
 * reconciliation shows the bill follows another table than AceData's guide:
 * `{ "-4": { status: 'inconsistent', billed: true, cache: 'ttl' } }`.
 */
export type ResultCodeOverrides = Readonly<Record<string, ResultCodeOverride>>;

const CACHE_RULES: readonly ResultCodeMeaning['cache'][] = [
  'ttl',
  'until_china_midnight',
  'never',
];
const FIELDS = new Set(['status', 'billed', 'cache', 'retryable']);

function invalid(option: string, problem: string): never {
  throw new InvalidPhoneVerificationOptionsError(option, problem);
}

function resolveOverride(code: string, raw: unknown): ResultCodeOverride {
  const option = `resultCodes["${code}"]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    invalid(option, 'must be an object of status, billed, cache, retryable');
  }
  const given = raw as Record<string, unknown>;
  for (const field of Object.keys(given)) {
    if (!FIELDS.has(field)) {
      invalid(option, `has "${field}"; only status, billed, cache, retryable`);
    }
  }
  const { status, billed, cache, retryable } = given;
  if (
    status !== undefined &&
    !PHONE_VERIFICATION_STATUSES.includes(status as never)
  ) {
    invalid(
      `${option}.status`,
      `must be one of: ${PHONE_VERIFICATION_STATUSES.join(', ')}`,
    );
  }
  if (
    billed !== undefined &&
    typeof billed !== 'boolean' &&
    billed !== 'maybe'
  ) {
    invalid(`${option}.billed`, 'must be true, false or "maybe"');
  }
  if (cache !== undefined && !CACHE_RULES.includes(cache as never)) {
    invalid(`${option}.cache`, `must be one of: ${CACHE_RULES.join(', ')}`);
  }
  if (retryable !== undefined && typeof retryable !== 'boolean') {
    invalid(`${option}.retryable`, 'must be true or false');
  }
  return Object.fromEntries(
    Object.entries({ status, billed, cache, retryable }).filter(
      ([, value]) => value !== undefined,
    ),
  ) as ResultCodeOverride;
}

/**
 * Validates the overrides and applies them to AceData's documented table. A
 * code that ends up both billed and retryable is refused: retrying it would
 * pay again for the same answer.
 */
export function resolveResultCodes(raw: unknown): ResultCodeTable {
  if (raw === undefined) return ResultCodeTable.documented;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    invalid('resultCodes', 'must be an object keyed by result code');
  }
  const overrides = new Map<number, ResultCodeOverride>();
  for (const [code, value] of Object.entries(raw)) {
    if (!/^-?\d{1,6}$/.test(code)) {
      invalid('resultCodes', `has the key "${code}", which is not a code`);
    }
    overrides.set(Number(code), resolveOverride(code, value));
  }
  const table = ResultCodeTable.documented.withOverrides(overrides);
  for (const code of overrides.keys()) {
    const meaning = table.meaningOf(code);
    if (meaning.billed && meaning.retryable) {
      invalid(
        `resultCodes["${code}"]`,
        'would be billed and retried: a retry would pay again for the same answer',
      );
    }
  }
  return table;
}
