import { createHmac, randomUUID } from 'node:crypto';
import { chinaDay } from '../china-time.js';
import { maskPhone } from '../privacy/masking.js';
import type { NormalizedVerificationRequest } from '../validation/normalize-request.js';
import type { AnsweredBy, LedgerRow } from './ledger-row.js';

/** Who asked about whom, for one row. */
export interface LedgerAsk {
  readonly request: NormalizedVerificationRequest;
  readonly caller?: string;
  /** The app's own id of the request. */
  readonly requestId?: string;
}

/** What a row takes from its ledger and the moment. */
export interface RowContext {
  readonly now: number;
  /** How long its call may take (0 for an answer that made none). */
  readonly deadlineMs: number;
  readonly replica: string;
  /** The ledger's HMAC secret. */
  readonly secret: string;
}

/** One row of the ledger for `ask`: no raw identity, an HMAC and a masked phone. */
export function ledgerRowOf(
  { request, caller, requestId }: LedgerAsk,
  answeredBy: AnsweredBy,
  { now, deadlineMs, replica, secret }: RowContext,
): LedgerRow {
  const encryptedFields = request.encrypted?.fields ?? [];
  return {
    id: randomUUID(),
    sentAt: now,
    chinaDay: chinaDay(now),
    deadlineAt: now + deadlineMs,
    replica,
    caller,
    requestId,
    subjectHmac:
      encryptedFields.length === 0 ? subjectHmacOf(request, secret) : undefined,
    maskedPhone: encryptedFields.includes('phone')
      ? undefined
      : maskPhone(request.phone),
    verifyMode: request.verifyMode,
    encrypted: encryptedFields.length > 0,
    answeredBy,
  };
}

/** The person, whatever the verify mode: HMAC-SHA256 under the ledger's secret. */
export function subjectHmacOf(
  request: NormalizedVerificationRequest,
  secret: string,
): string {
  return createHmac('sha256', secret)
    .update([request.name, request.phone, request.idCard].join('\u0000'))
    .digest('hex');
}
