// The `…/errors` entry: one class per way AceData or the network failed, for
// an app that tells them apart by class (`instanceof UpstreamTimeoutError`).
// Each is a `PhoneVerificationError` (main entry) whose `code`, `retryable`
// and `mayHaveBilled` say the same: most apps need only those.

export {
  ApiNotImplementedError,
  BalanceUsedUpError,
  CredentialsDisabledError,
  InvalidTokenError,
  NoSuchApiError,
  UpstreamGatewayTimeoutError,
  TokenMismatchedError,
  UpstreamApiError,
  UpstreamHttpError,
  UpstreamRateLimitedError,
  UpstreamServerError,
} from './upstream-api.errors.js';
export {
  MalformedUpstreamResponseError,
  UpstreamConnectionError,
  UpstreamConnectionLostError,
  UpstreamTimeoutError,
} from './transport.errors.js';
