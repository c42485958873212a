import {
  identityDigest,
  legacyIdentityDigest,
} from '../privacy/identity-digest.js';
import type { NormalizedVerificationRequest } from '../validation/normalize-request.js';

/** Derives an opaque key for a subject and its verify mode: never the raw values. */
export interface SubjectKeyer {
  /** The cache's and the single flight's key (`identityDigest`'s `answer` use), hex. */
  key(request: NormalizedVerificationRequest): string;
  /** The key an answer was cached under up to 0.1: looked up, never written. */
  legacyKey(request: NormalizedVerificationRequest): string;
}

const fieldsOf = (request: NormalizedVerificationRequest) => [
  request.name,
  request.phone,
  request.idCard,
  request.verifyMode,
];

/**
 * The subject keys under a secret. With a shared secret (Redis's or the
 * cache's), keys agree across instances; the service uses a random
 * per-process one otherwise (dedupe only).
 */
export function createSubjectKeyer(secret: string): SubjectKeyer {
  return {
    key: (request) =>
      identityDigest(secret, 'answer', fieldsOf(request)).toString('hex'),
    legacyKey: (request) =>
      legacyIdentityDigest(secret, fieldsOf(request)).toString('hex'),
  };
}
