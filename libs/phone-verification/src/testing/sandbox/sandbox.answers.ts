import {
  TEST_IDENTITIES_BY_PHONE,
  type SandboxBehaviour,
} from './sandbox.identities.js';
import { REGISTERED_BY_PHONE, mismatchOf } from './sandbox.registry.js';

/** The fields the sandbox reads, once decrypted. */
export interface Check3eFields {
  readonly name: string;
  readonly phone: string;
  readonly id_card: string;
}

const PASSED = {
  kind: 'result',
  result: '0',
  description: 'Authentication passed',
  isp: 'Mobile',
} as const satisfies SandboxBehaviour;

/**
 * How the sandbox answers a verification: a test phone's scripted
 * behaviour (a fail-once phone passes from its second call), else the
 * registry's verdict on a fictional person, else "no record" (-1).
 * `count` is how many calls this phone has had, this one included.
 */
export function answerFor(
  fields: Check3eFields,
  count: number,
): SandboxBehaviour {
  const identity = TEST_IDENTITIES_BY_PHONE.get(fields.phone);
  if (identity) {
    return identity.failOnce && count > 1 ? PASSED : identity.behaviour;
  }
  const person = REGISTERED_BY_PHONE.get(fields.phone);
  if (!person) {
    return {
      kind: 'result',
      result: '-1',
      description: 'No record found',
      isp: '',
    };
  }
  const mismatch = mismatchOf(person, fields.name, fields.id_card);
  return mismatch === null
    ? { ...PASSED, isp: person.isp }
    : {
        kind: 'result',
        result: '1',
        description: 'Authentication failed',
        isp: person.isp,
        detail: mismatch,
      };
}
