// The `…/wire` entry: AceData's own wire format (its request and answer
// shapes, its result codes), for apps that take and answer AceData's shape
// (the sample app's check-3e endpoint). The main entry never needs it.

export {
  CHECK_3E_WIRE_ENCRYPTABLE_FIELDS,
  CHECK_3E_WIRE_VERIFY_MODES,
  type AceDataWireErrorBody,
  type Check3eWireEncryptableField,
  type Check3eWireRequest,
  type Check3eWireResponse,
  type Check3eWireVerifyMode,
} from './check-3e.wire.js';
export {
  decodeCheck3eRequest,
  type Check3eWireRequestInput,
} from './check-3e-request.codec.js';
export { encodeCheck3eResult } from './check-3e-result.mapper.js';
export {
  RESULT_CODES,
  ResultCodeTable,
  meaningOfResultCode,
  type ResultCodeMeaning,
} from './result-codes.js';
