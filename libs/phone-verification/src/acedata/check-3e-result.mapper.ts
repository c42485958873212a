import type {
  Carrier,
  MismatchDetail,
  PhoneVerificationResult,
} from '../dto/phone-verification-result.js';
import { MalformedUpstreamResponseError } from '../errors/transport.errors.js';
import type { Redactor } from '../privacy/redactor.js';
import type { Check3eWireResponse } from './check-3e.wire.js';
import { ResultCodeTable } from './result-codes.js';
import {
  cleanResultCode,
  cleanTraceId,
  cleanUpstreamText,
} from './upstream-values.js';

const CARRIER_BY_SPELLING: ReadonlyMap<string, Carrier> = new Map([
  ['mobile', 'china_mobile'],
  ['china mobile', 'china_mobile'],
  ['chinamobile', 'china_mobile'],
  ['移动', 'china_mobile'],
  ['中国移动', 'china_mobile'],
  ['unicom', 'china_unicom'],
  ['china unicom', 'china_unicom'],
  ['联通', 'china_unicom'],
  ['中国联通', 'china_unicom'],
  ['telecom', 'china_telecom'],
  ['china telecom', 'china_telecom'],
  ['电信', 'china_telecom'],
  ['中国电信', 'china_telecom'],
  ['broadnet', 'china_broadnet'],
  ['china broadnet', 'china_broadnet'],
  ['广电', 'china_broadnet'],
  ['中国广电', 'china_broadnet'],
]);

const KNOWN_DETAILS: ReadonlySet<string> = new Set<MismatchDetail>([
  'PhoneIdCardMismatch',
  'PhoneNameMismatch',
  'PhoneNameIdCardMismatch',
  'NameIdCardMismatch',
  'OtherMismatch',
]);

/** Normalises AceData's carrier spelling (English or Chinese). */
export function carrierOf(rawIsp: string): Carrier {
  return CARRIER_BY_SPELLING.get(rawIsp.trim().toLowerCase()) ?? 'unknown';
}

/** The carrier's spelling as sent when it is a known one, else `""`: nothing else from `isp` is kept. */
function knownIsp(raw: unknown): string {
  if (typeof raw !== 'string') return '';
  const isp = raw.trim();
  return CARRIER_BY_SPELLING.has(isp.toLowerCase()) ? isp : '';
}

/**
 * Maps an HTTP 200 body to a result. Any integer code is a result (unknown
 * ones get status `unknown`); a body without a readable `result` (or one
 * out of any sane range) is a malformed response, which may have been
 * billed. Every value is bounded and cleaned here (`upstream-values.ts`).
 */
export function mapCheck3eResult(
  body: unknown,
  redact: Redactor,
  traceIdHeader?: string,
  codes: ResultCodeTable = ResultCodeTable.documented,
): PhoneVerificationResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new MalformedUpstreamResponseError(
      200,
      'a body that is not a JSON object',
    );
  }
  const wire = body as Record<string, unknown>;
  const code = cleanResultCode(wire.result);
  if (code === undefined) {
    throw new MalformedUpstreamResponseError(200, 'no readable "result" code');
  }
  const meaning = codes.meaningOf(code);
  const isp = knownIsp(wire.isp);
  const rawDetail = wire.result_detail;
  const detail =
    typeof rawDetail === 'string' && KNOWN_DETAILS.has(rawDetail)
      ? (rawDetail as MismatchDetail)
      : cleanUpstreamText(rawDetail, redact) || null;
  const traceId =
    cleanTraceId(wire.trace_id, redact) ?? cleanTraceId(traceIdHeader, redact);
  return {
    code,
    status: meaning.status,
    billable: meaning.billed,
    // Fetched for this call: the service says otherwise for a cached or shared one.
    charged: meaning.billed,
    description: cleanUpstreamText(wire.description, redact),
    carrier: carrierOf(isp),
    isp,
    detail,
    ...(traceId ? { traceId } : {}),
    fromCache: false,
    shared: false,
  };
}

/** A result in AceData's own 200 shape, for apps that answer like AceData. */
export function encodeCheck3eResult(
  result: PhoneVerificationResult,
): Check3eWireResponse {
  return {
    result: String(result.code),
    description: result.description,
    isp: result.isp,
    result_detail: result.detail,
    ...(result.traceId ? { trace_id: result.traceId } : {}),
  };
}
