import {
  VERIFY_MODE_ALIASES,
  type EncryptableField,
  type VerifyMode,
} from '../dto/phone-verification-request.js';

/** The endpoint's path under the base URL. */
export const CHECK_3E_PATH = '/identity/phone/check-3e';

/** `verify_mode` as AceData spells it: {@link VERIFY_MODE_ALIASES} inverted. */
export const VERIFY_MODE_WIRE_VALUES = Object.fromEntries(
  Object.entries(VERIFY_MODE_ALIASES).map(([wire, mode]) => [mode, wire]),
) as Readonly<Record<VerifyMode, '0' | '1'>>;

/** Every `verify_mode` AceData's clients send: a string or a number. */
export const CHECK_3E_WIRE_VERIFY_MODES = ['0', '1', 0, 1] as const;

/** A `verify_mode` as a client may send it. */
export type Check3eWireVerifyMode = (typeof CHECK_3E_WIRE_VERIFY_MODES)[number];

/** The wire name of each field that can be encrypted. */
export const WIRE_FIELD_NAMES = {
  name: 'name',
  phone: 'phone',
  idCard: 'id_card',
} as const satisfies Record<EncryptableField, string>;

/** A field of `encrypt_list`, as on the wire. */
export type Check3eWireEncryptableField =
  (typeof WIRE_FIELD_NAMES)[EncryptableField];

/** Every field `encrypt_list` may name. */
export const CHECK_3E_WIRE_ENCRYPTABLE_FIELDS: readonly Check3eWireEncryptableField[] =
  Object.values(WIRE_FIELD_NAMES);

/** The request body, exactly as on the wire. */
export interface Check3eWireRequest {
  name: string;
  phone: string;
  id_card: string;
  verify_mode?: '0' | '1';
  encrypt_list?: Check3eWireEncryptableField[];
  ciphertext_blob?: string;
  iv?: string;
}

/** An HTTP 200 body, exactly as on the wire. */
export interface Check3eWireResponse {
  /** The result code, a string such as `"0"` or `"-6"`. */
  result: string;
  description: string;
  isp: string;
  result_detail: string | null;
  trace_id?: string;
}

/** A non-200 body. `success` and `trace_id` may be missing; `error` may be a bare string. */
export interface AceDataWireErrorBody {
  success?: boolean;
  error?: { code?: string; message?: string } | string;
  trace_id?: string;
}
