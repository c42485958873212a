import { createHmac } from 'node:crypto';
import type { NormalizedVerificationRequest } from '../validation/normalize-request.js';

/** Derives an opaque key for a subject: never the raw values. */
export type SubjectKeyer = (request: NormalizedVerificationRequest) => string;

/**
 * HMAC-SHA256 of the normalised fields and mode under a secret. With a
 * shared secret (Redis's or the cache's), keys agree across instances; the
 * service uses a random per-process one otherwise (dedupe only).
 */
export function createSubjectKeyer(secret: string): SubjectKeyer {
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
