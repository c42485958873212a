import { randomUUID } from 'node:crypto';
import {
  identityDigest,
  legacyIdentityDigest,
} from '../privacy/identity-digest.js';
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

const personOf = (request: NormalizedVerificationRequest) => [
  request.name,
  request.phone,
  request.idCard,
];

/** The person, whatever the verify mode: `identityDigest`'s `subject` use under the ledger's secret, hex. */
export function subjectHmacOf(
  request: NormalizedVerificationRequest,
  secret: string,
): string {
  return identityDigest(secret, 'subject', personOf(request)).toString('hex');
}

/** The subject as rows written up to 0.1 hold it: found by erasure, never written. */
export function legacySubjectHmacOf(
  request: NormalizedVerificationRequest,
  secret: string,
): string {
  return legacyIdentityDigest(secret, personOf(request)).toString('hex');
}
