import type { Redactor } from '../privacy/redactor.js';

/**
 * Every value AceData (or whatever answers at its address) sends is
 * untrusted (OWASP API10). These bound and clean each one once, at the wire
 * boundary, before anything stores, logs, caches or shows it: a trace id
 * that could stop the ledger (a NUL, 6 KB), a description that echoes the
 * request, a code no column can hold.
 */

/** The longest trace id kept; AceData's are UUIDs (36 characters). */
export const MAX_TRACE_ID_LENGTH = 64;
/** The longest description, detail or upstream message kept. */
export const MAX_UPSTREAM_TEXT_LENGTH = 200;
/** Result codes outside ±this are not an answer of this API. */
export const MAX_RESULT_CODE = 99_999;

const TRACE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
/** Control characters (NUL included), lone surrogates and the BOM: nothing to store or show. */
// oxlint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\ufeff]|[\ud800-\udfff]/gu;

/**
 * A trace id as sent (body or `x-trace-id`), or `undefined` when it is not a
 * plain id: too long, odd characters, or carrying one of the request's own
 * values (an upstream that echoes the request).
 */
export function cleanTraceId(
  raw: unknown,
  redact: Redactor,
): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const id = raw.trim();
  if (id.length === 0 || id.length > MAX_TRACE_ID_LENGTH) return undefined;
  if (!TRACE_ID.test(id)) return undefined;
  return redact.secretsIn(id) ? undefined : id;
}

/**
 * Free text from upstream (a description, a detail, an error message):
 * identities redacted, unprintable characters removed, at most
 * {@link MAX_UPSTREAM_TEXT_LENGTH} characters.
 */
export function cleanUpstreamText(raw: unknown, redact: Redactor): string {
  if (typeof raw !== 'string') return '';
  // Bound before the redactor runs, so a huge body costs nothing; redact,
  // then bound again (a replacement may lengthen it).
  const bounded = raw.slice(0, MAX_UPSTREAM_TEXT_LENGTH * 4);
  const clean = redact(bounded.replace(UNPRINTABLE, '')).trim();
  return [...clean].slice(0, MAX_UPSTREAM_TEXT_LENGTH).join('');
}

/** A result code as sent (`"-4"` or `-4`), or `undefined` when it is no sane integer. */
export function cleanResultCode(raw: unknown): number | undefined {
  let code: number | undefined;
  if (typeof raw === 'number' && Number.isInteger(raw)) code = raw;
  else if (typeof raw === 'string' && /^\s*-?\d{1,6}\s*$/.test(raw)) {
    code = Number(raw);
  }
  if (code === undefined || Math.abs(code) > MAX_RESULT_CODE) return undefined;
  return code === 0 ? 0 : code; // -0 is 0
}
