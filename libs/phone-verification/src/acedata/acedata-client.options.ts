import type { AxiosInstance } from 'axios';
import { InvalidPhoneVerificationOptionsError } from '../errors/boot.errors.js';
import {
  resolveEncryption,
  type EncryptionOptions,
  type ResolvedEncryptionOptions,
} from './encryption.options.js';
import type { ResultCodeTable } from './result-codes.js';
import {
  resolveResultCodes,
  type ResultCodeOverrides,
} from './result-codes.options.js';

/** AceData's production API. */
export const DEFAULT_BASE_URL = 'https://api.acedata.cloud';
/** Carriers answer in tens of ms to seconds; past this we give up (and may have been billed). */
export const DEFAULT_TIMEOUT_MS = 15_000;
const MAX_TIMEOUT_MS = 120_000;

/** What the client of AceData's API is given. */
export interface AceDataClientOptions {
  /** The AceData API token (a secret). Required. */
  apiToken: string;
  /** The API's base URL. Default {@link DEFAULT_BASE_URL}; `http://` only to loopback. */
  baseUrl?: string;
  /** How long one call may take, connect to last byte, in ms. Default {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Encrypt fields on the wire (off unless given); validation runs first. */
  encryption?: EncryptionOptions;
  /**
   * Called once with the library's own axios instance (its `HttpService`'s),
   * to add interceptors to AceData's calls on purpose. They see the bearer
   * token and the plain name, phone and ID number. The app's global axios
   * instance and its interceptors never do.
   */
  configureHttpClient?: (client: AxiosInstance) => void;
  /**
   * Overrides of AceData's result codes (meaning, billing, caching,
   * retrying), for when reconciliation shows the bill follows another table
   * (`PHONE_VERIFICATION_RESULT_CODES` as JSON). Default: AceData's guide.
   */
  resultCodes?: ResultCodeOverrides;
}

/** The client's options after validation. */
export interface ResolvedAceDataClientOptions {
  readonly apiToken: string;
  /** Without a trailing slash. */
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly encryption: ResolvedEncryptionOptions | false;
  readonly configureHttpClient?: (client: AxiosInstance) => void;
  /** AceData's result codes, with the overrides applied. */
  readonly resultCodes: ResultCodeTable;
}

function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

function invalid(option: string, problem: string): never {
  throw new InvalidPhoneVerificationOptionsError(option, problem);
}

function resolveApiToken(raw: unknown): string {
  const token = typeof raw === 'string' ? raw.trim() : '';
  if (token === '') {
    invalid(
      'apiToken',
      'is missing or blank (set ACEDATA_API_TOKEN when using phoneVerificationConfig)',
    );
  }
  if (!/^[\x21-\x7e]+$/.test(token)) {
    invalid('apiToken', 'contains spaces or non-printable characters');
  }
  return token;
}

function resolveBaseUrl(raw: string | undefined): string {
  if (raw === undefined || raw.trim() === '') return DEFAULT_BASE_URL;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    invalid('baseUrl', 'is not a valid URL (e.g. https://api.acedata.cloud)');
  }
  if (url.username || url.password) {
    invalid('baseUrl', 'must not contain credentials');
  }
  if (url.search || url.hash) {
    invalid('baseUrl', 'must not have a query or fragment');
  }
  if (url.pathname !== '/') {
    // The library appends /identity/phone/check-3e itself.
    invalid(
      'baseUrl',
      `must be only the origin (e.g. ${DEFAULT_BASE_URL}), without a path: the endpoint's path is added by the library`,
    );
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    invalid(
      'baseUrl',
      'uses http:// to a host that is not loopback; the API token would cross the network in plaintext, use https://',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    invalid('baseUrl', 'must be an https:// URL');
  }
  return url.href.replace(/\/+$/, '');
}

function resolveTimeout(raw: number | undefined): number {
  const timeoutMs = raw ?? DEFAULT_TIMEOUT_MS;
  if (
    !Number.isInteger(timeoutMs) ||
    timeoutMs <= 0 ||
    timeoutMs > MAX_TIMEOUT_MS
  ) {
    invalid(
      'timeoutMs',
      `must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`,
    );
  }
  return timeoutMs;
}

function resolveConfigureHttpClient(
  raw: unknown,
): ((client: AxiosInstance) => void) | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'function') {
    invalid('configureHttpClient', 'must be a function');
  }
  return raw as (client: AxiosInstance) => void;
}

/** Validates the client's options and applies their defaults. */
export function resolveAceDataClientOptions(
  options: AceDataClientOptions,
): ResolvedAceDataClientOptions {
  return {
    apiToken: resolveApiToken(options.apiToken),
    baseUrl: resolveBaseUrl(options.baseUrl),
    timeoutMs: resolveTimeout(options.timeoutMs),
    encryption: resolveEncryption(options.encryption),
    configureHttpClient: resolveConfigureHttpClient(
      options.configureHttpClient,
    ),
    resultCodes: resolveResultCodes(options.resultCodes),
  };
}
