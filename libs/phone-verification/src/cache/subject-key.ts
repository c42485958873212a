import { createHmac, randomBytes } from 'node:crypto';
import type { NormalizedVerificationRequest } from '../validation/normalize-request.js';

/** Derives an opaque key for a subject: never the raw values. */
export type SubjectKeyer = (request: NormalizedVerificationRequest) => string;

/**
 * HMAC-SHA256 of the normalised fields and mode under a secret. With the
 * cache's secret, keys are stable across instances sharing a store; without
 * one (dedupe only), a random per-process secret is used.
 */
export function createSubjectKeyer(
  secret: string = randomBytes(32).toString('hex'),
): SubjectKeyer {
  return (request) =>
    createHmac('sha256', secret)
      // U+0000 cannot occur in a validated field, so the join is unambiguous.
      .update(
        [request.name, request.phone, request.idCard, request.verifyMode].join(
          '\u0000',
        ),
      )
      .digest('hex');
}
