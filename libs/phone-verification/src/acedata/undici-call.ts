import {
  AxiosError,
  AxiosHeaders,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import type { Dispatcher } from 'undici';
import { TransportFailure, type CallProgress } from './call-progress.js';

/**
 * One call's undici dispatch handler: records its {@link CallProgress} as
 * undici reports it (request sent, status line, body bytes), settles once,
 * and fails with a {@link TransportFailure} on an abort (`signal`), a
 * `timeout`, a body over `maxContentLength`, a status `validateStatus`
 * refuses, or a socket error.
 */
export class UndiciCall implements Dispatcher.DispatchHandlers {
  settled = false;
  private readonly progress: CallProgress = { written: false, bodyBytes: 0 };
  private headers: Record<string, string> = {};
  private readonly chunks: Buffer[] = [];
  private abortCall?: (error: Error) => void;
  private timer?: NodeJS.Timeout;
  private readonly onAbort = () =>
    this.fail('canceled', AxiosError.ERR_CANCELED);

  constructor(
    private readonly config: InternalAxiosRequestConfig,
    private readonly resolve: (response: AxiosResponse) => void,
    private readonly reject: (error: TransportFailure) => void,
  ) {
    const signal = config.signal as AbortSignal | undefined;
    if (signal?.aborted) {
      this.onAbort();
      return;
    }
    signal?.addEventListener?.('abort', this.onAbort, { once: true });
    if (config.timeout && config.timeout > 0) {
      const message = `timeout of ${config.timeout}ms exceeded`;
      this.timer = setTimeout(
        () => this.fail(message, AxiosError.ETIMEDOUT),
        config.timeout,
      );
    }
  }

  onConnect(abort: (error?: Error) => void): void {
    if (this.settled) abort();
    else this.abortCall = abort;
  }

  onRequestSent(): void {
    this.progress.written = true;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[] | string[]): boolean {
    if (statusCode < 200) return true; // 1xx: the real answer follows
    this.progress.answeredStatus = statusCode;
    this.headers = headersOf(rawHeaders);
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.progress.bodyBytes += chunk.length;
    const max = this.config.maxContentLength ?? -1;
    if (max > -1 && this.progress.bodyBytes > max) {
      this.fail(
        `maxContentLength size of ${max} exceeded`,
        AxiosError.ERR_BAD_RESPONSE,
      );
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.settled) return;
    const status = this.progress.answeredStatus ?? 0;
    const body = Buffer.concat(this.chunks);
    const response: AxiosResponse = {
      data:
        this.config.responseType === 'arraybuffer'
          ? body
          : body.toString('utf8'),
      status,
      statusText: '',
      headers: new AxiosHeaders(this.headers),
      config: this.config,
      request: { ...this.progress },
    };
    const validate = this.config.validateStatus;
    if (validate && !validate(status)) {
      this.fail(
        `Request failed with status code ${status}`,
        AxiosError.ERR_BAD_RESPONSE,
        response,
      );
      return;
    }
    this.settle();
    this.resolve(response);
  }

  onError(error: Error): void {
    const code = (error as { code?: unknown }).code;
    this.fail(
      error.message,
      typeof code === 'string' ? code : AxiosError.ERR_NETWORK,
    );
  }

  private fail(message: string, code: string, response?: AxiosResponse): void {
    if (this.settled) return;
    this.settle();
    const progress = { ...this.progress };
    const failure = new TransportFailure(
      message,
      code,
      this.config,
      progress,
      response,
    );
    this.abortCall?.(failure);
    this.reject(failure);
  }

  private settle(): void {
    this.settled = true;
    clearTimeout(this.timer);
    const signal = this.config.signal as AbortSignal | undefined;
    signal?.removeEventListener?.('abort', this.onAbort);
  }
}

/** undici's raw `[name, value, …]` pairs as lower-cased headers. */
function headersOf(raw: Buffer[] | string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toString().toLowerCase();
    const value = raw[i + 1].toString();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}
