import type { VerifyMode } from './dto/phone-verification-request.js';
import { VERIFY_MODES } from './dto/phone-verification-request.js';

/** AceData's production API. */
export const DEFAULT_BASE_URL = 'https://api.acedata.cloud';
/** Carriers answer in tens of ms to seconds; past this we give up (and may have been billed). */
export const DEFAULT_TIMEOUT_MS = 15_000;
const MAX_TIMEOUT_MS = 120_000;

/** What `PhoneVerificationModule.forRoot()` takes. */
export interface PhoneVerificationModuleOptions {
  /** The AceData API token (a secret). Required. */
  apiToken: string;
  /** The API's base URL. Default {@link DEFAULT_BASE_URL}; `http://` only to loopback. */
  baseUrl?: string;
  /** How long one call may take, in ms. Default {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** The verify mode when a request names none. Default `short`. */
  defaultVerifyMode?: VerifyMode;
}

/** The options after validation, with every default applied. */
export interface ResolvedPhoneVerificationOptions {
  readonly apiToken: string;
  /** Without a trailing slash. */
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly defaultVerifyMode: VerifyMode;
}

/** Thrown at boot when the module's options are unusable; names the option. */
export class InvalidPhoneVerificationOptionsError extends Error {
  constructor(
    readonly option: keyof PhoneVerificationModuleOptions,
    problem: string,
  ) {
    super(`PhoneVerificationModule: option "${option}" ${problem}`);
    this.name = 'InvalidPhoneVerificationOptionsError';
  }
}

function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

function resolveBaseUrl(raw: string | undefined): string {
  if (raw === undefined || raw.trim() === '') return DEFAULT_BASE_URL;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new InvalidPhoneVerificationOptionsError(
      'baseUrl',
      'is not a valid URL (e.g. https://api.acedata.cloud)',
    );
  }
  if (url.username || url.password) {
    throw new InvalidPhoneVerificationOptionsError(
      'baseUrl',
      'must not contain credentials',
    );
  }
  if (url.search || url.hash) {
    throw new InvalidPhoneVerificationOptionsError(
      'baseUrl',
      'must not have a query or fragment',
    );
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new InvalidPhoneVerificationOptionsError(
      'baseUrl',
      'uses http:// to a host that is not loopback; the API token would cross the network in plaintext, use https://',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidPhoneVerificationOptionsError(
      'baseUrl',
      'must be an https:// URL',
    );
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * Validates the options and applies defaults. Runs when the module is
 * instantiated, so a bad configuration stops the app at boot rather than
 * failing the first verification.
 */
export function resolvePhoneVerificationOptions(
  options: PhoneVerificationModuleOptions | undefined,
): ResolvedPhoneVerificationOptions {
  if (
    options === undefined ||
    options === null ||
    typeof options !== 'object'
  ) {
    throw new InvalidPhoneVerificationOptionsError(
      'apiToken',
      'is required (no options were given)',
    );
  }
  const token =
    typeof options.apiToken === 'string' ? options.apiToken.trim() : '';
  if (token === '') {
    throw new InvalidPhoneVerificationOptionsError(
      'apiToken',
      'is missing or blank (set ACEDATA_API_TOKEN when using phoneVerificationConfig)',
    );
  }
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new InvalidPhoneVerificationOptionsError(
      'apiToken',
      'contains spaces or non-printable characters',
    );
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (
    !Number.isInteger(timeoutMs) ||
    timeoutMs <= 0 ||
    timeoutMs > MAX_TIMEOUT_MS
  ) {
    throw new InvalidPhoneVerificationOptionsError(
      'timeoutMs',
      `must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`,
    );
  }
  const defaultVerifyMode = options.defaultVerifyMode ?? 'short';
  if (!VERIFY_MODES.includes(defaultVerifyMode)) {
    throw new InvalidPhoneVerificationOptionsError(
      'defaultVerifyMode',
      `must be one of: ${VERIFY_MODES.join(', ')}`,
    );
  }
  return {
    apiToken: token,
    baseUrl: resolveBaseUrl(options.baseUrl),
    timeoutMs,
    defaultVerifyMode,
  };
}
