import { createRedactor } from '../libs/phone-verification/src/privacy/redactor.js';
import { mapCheck3eResult } from '../libs/phone-verification/src/acedata/check-3e-result.mapper.js';

/** AceData's "consistent" answer, mapped once: what a stubbed transport returns. */
export const CONSISTENT_WIRE =
  '{"result":"0","description":"Authentication passed","isp":"Mobile","result_detail":null}';

/** The result a stubbed transport answers, so only the library is timed. */
export const stubResult = mapCheck3eResult(
  JSON.parse(CONSISTENT_WIRE),
  createRedactor([]),
);
