import axios, {
  AxiosError,
  AxiosHeaders,
  type AxiosAdapter,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import { Pool, type Dispatcher } from 'undici';

/** How the pools keep their connections. */
export interface UndiciAxiosAdapterOptions {
  /**
   * Idle keep-alive sockets are closed after this long, and never later than
   * the server's own `Keep-Alive: timeout` hint less a second.
   */
  keepAliveIdleMs: number;
}

/**
 * What a failed call reports of its progress, in the shape Node's
 * `ClientRequest` has, so one reader serves both transports: whether the
 * whole request was handed to the socket, and the answer's status once its
 * status line arrived.
 */
interface CallProgressSnapshot {
  writableFinished: boolean;
  res?: { statusCode: number };
}

/**
 * An axios adapter that sends through one `undici` `Pool` per origin instead
 * of Node's `http` client: the same `HttpService`, interceptors and request
 * config, for less CPU a call (see BENCHMARKS.md). It honours `signal`,
 * `timeout`, `maxContentLength`, `validateStatus` and `responseType`
 * (`arraybuffer` gives a Buffer, anything else a string); it follows no
 * redirects and uses no proxy. A failure carries its progress on
 * `error.request` and `error.response` as the `http` adapter's do. undici
 * never retries a POST on its own.
 */
export class UndiciAxiosAdapter {
  private readonly pools = new Map<string, Pool>();
  private lastUrl?: { raw: string; url: URL };

  constructor(private readonly options: UndiciAxiosAdapterOptions) {}

  /** The adapter function, for a request config's `adapter`. */
  readonly adapter: AxiosAdapter = (config) => this.send(config);

  /** Closes every pool once its in-flight calls have finished. */
  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }

  /** The URL axios would call; the last one is kept, as a client calls one. */
  private urlOf(config: InternalAxiosRequestConfig): URL {
    const { url = '', baseURL, params } = config;
    if (params !== undefined) return new URL(axios.getUri(config));
    const full =
      baseURL && !/^[a-z][a-z\d+.-]*:\/\//i.test(url)
        ? `${baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`
        : url;
    if (full !== this.lastUrl?.raw)
      this.lastUrl = { raw: full, url: new URL(full) };
    return this.lastUrl.url;
  }

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        keepAliveTimeout: this.options.keepAliveIdleMs,
        keepAliveMaxTimeout: this.options.keepAliveIdleMs,
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  private send(config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
    const url = this.urlOf(config);
    return new Promise((resolve, reject) => {
      const call = new UndiciCall(config, resolve, reject);
      if (call.settled) return;
      this.pool(url.origin).dispatch(
        {
          method: (
            config.method ?? 'get'
          ).toUpperCase() as Dispatcher.HttpMethod,
          path: url.pathname + url.search,
          headers: AxiosHeaders.from(config.headers).toJSON(true) as Record<
            string,
            string
          >,
          body: bodyOf(config.data),
        },
        call,
      );
    });
  }
}

function bodyOf(data: unknown): string | Buffer | undefined {
  if (data === undefined || data === null) return undefined;
  if (typeof data === 'string' || Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data);
  return JSON.stringify(data);
}

/** One call's dispatch handler: tracks its progress and settles once. */
class UndiciCall implements Dispatcher.DispatchHandlers {
  settled = false;
  private readonly progress: CallProgressSnapshot = { writableFinished: false };
  private status = 0;
  private headers: Record<string, string> = {};
  private readonly chunks: Buffer[] = [];
  private received = 0;
  private abortCall?: (error: Error) => void;
  private timer?: NodeJS.Timeout;
  private readonly onAbort = () =>
    this.fail(
      new AxiosError(
        'canceled',
        AxiosError.ERR_CANCELED,
        this.config,
        this.progress,
      ),
    );

  constructor(
    private readonly config: InternalAxiosRequestConfig,
    private readonly resolve: (response: AxiosResponse) => void,
    private readonly reject: (error: AxiosError) => void,
  ) {
    const signal = config.signal as AbortSignal | undefined;
    if (signal?.aborted) {
      this.onAbort();
      return;
    }
    signal?.addEventListener?.('abort', this.onAbort, { once: true });
    if (config.timeout && config.timeout > 0) {
      this.timer = setTimeout(
        () =>
          this.fail(
            new AxiosError(
              `timeout of ${config.timeout}ms exceeded`,
              AxiosError.ETIMEDOUT,
              config,
            ),
          ),
        config.timeout,
      );
    }
  }

  onConnect(abort: (error?: Error) => void): void {
    if (this.settled) abort();
    else this.abortCall = abort;
  }

  onRequestSent(): void {
    this.progress.writableFinished = true;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[] | string[]): boolean {
    if (statusCode < 200) return true; // 1xx: the real answer follows
    this.status = statusCode;
    this.progress.res = { statusCode };
    this.headers = headersOf(rawHeaders);
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.received += chunk.length;
    const max = this.config.maxContentLength ?? -1;
    if (max > -1 && this.received > max) {
      this.fail(
        new AxiosError(
          `maxContentLength size of ${max} exceeded`,
          AxiosError.ERR_BAD_RESPONSE,
          this.config,
          this.progress,
        ),
      );
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.settled) return;
    const body = Buffer.concat(this.chunks);
    const response: AxiosResponse = {
      data:
        this.config.responseType === 'arraybuffer'
          ? body
          : body.toString('utf8'),
      status: this.status,
      statusText: '',
      headers: new AxiosHeaders(this.headers),
      config: this.config,
      request: this.progress,
    };
    const validate = this.config.validateStatus;
    if (!validate || validate(this.status)) {
      this.settle();
      this.resolve(response);
      return;
    }
    this.fail(
      new AxiosError(
        `Request failed with status code ${this.status}`,
        AxiosError.ERR_BAD_RESPONSE,
        this.config,
        this.progress,
        response,
      ),
    );
  }

  onError(error: Error): void {
    if (this.settled) return;
    const code = (error as { code?: unknown }).code;
    this.fail(
      new AxiosError(
        error.message,
        typeof code === 'string' ? code : AxiosError.ERR_NETWORK,
        this.config,
        this.progress,
      ),
    );
  }

  private fail(error: AxiosError): void {
    if (this.settled) return;
    this.settle();
    this.abortCall?.(error);
    this.reject(error);
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
