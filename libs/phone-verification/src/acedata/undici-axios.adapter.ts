import axios, {
  AxiosHeaders,
  type AxiosAdapter,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import { Pool, type Dispatcher } from 'undici';
import { UndiciCall } from './undici-call.js';

/** How the pools keep their connections. */
export interface UndiciAxiosAdapterOptions {
  /**
   * Idle keep-alive sockets are closed after this long, and never later than
   * the server's own `Keep-Alive: timeout` hint less a second.
   */
  keepAliveIdleMs: number;
}

/**
 * An axios adapter that sends through one `undici` `Pool` per origin instead
 * of Node's `http` client: the same `HttpService`, interceptors and request
 * config, for less CPU a call (see BENCHMARKS.md). It honours `signal`,
 * `timeout`, `maxContentLength`, `validateStatus` and `responseType`
 * (`arraybuffer` gives a Buffer, anything else a string); it follows no
 * redirects and uses no proxy. A call that fails without a complete
 * answer rejects with a `TransportFailure`: an `AxiosError` carrying how far
 * it got (`CallProgress`), for the mapper. undici never retries a POST on
 * its own.
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
