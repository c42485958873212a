import { HttpService } from '@nestjs/axios';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import axios, { type AxiosResponse } from 'axios';
import { firstValueFrom } from 'rxjs';
import type { PhoneVerificationResult } from '../dto/phone-verification-result.js';
import type { ResolvedAceDataClientOptions } from './acedata-client.options.js';
import { createRedactor } from '../privacy/redactor.js';
import type { NormalizedVerificationRequest } from '../validation/normalize-request.js';
import { mapTransportFailure } from './transport-failure.mapper.js';
import { mapUpstreamError } from './upstream-answer.mapper.js';
import { mapCheck3eResult } from './check-3e-result.mapper.js';
import { MalformedUpstreamResponseError } from '../errors/transport.errors.js';
import { BalanceAlarm } from './balance-alarm.js';
import { CHECK_3E_PATH, type Check3eWireRequest } from './check-3e.wire.js';
import { encodeCheck3eRequest } from './check-3e-request.codec.js';
import { UndiciAxiosAdapter } from './undici-axios.adapter.js';

/** Bodies larger than this are not an answer of this API. */
const MAX_RESPONSE_BYTES = 256 * 1024;

/**
 * Idle keep-alive sockets are closed after this long, before any sane
 * server's own idle timeout (nginx 75 s, Node 5 s): a request written on a
 * socket the server is closing at that moment would be lost after it was
 * sent, and such a call is never retried, since it may have been billed.
 */
export const KEEP_ALIVE_IDLE_MS = 4_000;

/**
 * `HttpService` cancels a call's own token when its observable is torn down,
 * building a `CanceledError` (and its stack) after every answered call; a
 * token of ours never cancels, and the deadline's signal cuts calls short.
 */
// axios types CancelToken's constructor on its default export only.
// oxlint-disable-next-line import/no-named-as-default-member
const NEVER_CANCELLED = new axios.CancelToken(() => undefined);

function header(
  response: AxiosResponse<string>,
  name: string,
): string | undefined {
  const value: unknown = response.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Speaks AceData's wire format: turns a normalised request into the
 * snake_case body, posts it with the bearer token through `HttpService`
 * (sent by undici: {@link UndiciAxiosAdapter}),
 * and maps the answer to a result or a typed error. One call, one attempt.
 */
@Injectable()
export class AceDataClient implements OnApplicationShutdown {
  private readonly balance = new BalanceAlarm();
  private readonly url: string;
  private readonly transport = new UndiciAxiosAdapter({
    keepAliveIdleMs: KEEP_ALIVE_IDLE_MS,
  });

  constructor(
    private readonly http: HttpService,
    private readonly options: ResolvedAceDataClientOptions,
  ) {
    this.url = options.baseUrl + CHECK_3E_PATH;
    // The module's own axios instance: interceptors added here are on purpose.
    options.configureHttpClient?.(http.axiosRef);
  }

  /** Sends one verification and maps its answer. */
  async check3e(
    request: NormalizedVerificationRequest,
  ): Promise<PhoneVerificationResult> {
    const body = encodeCheck3eRequest(request, this.options.encryption);
    const response = await this.post(body);
    const redact = createRedactor([
      request.name,
      request.phone,
      request.idCard,
      this.options.apiToken,
    ]);
    const traceIdHeader = header(response, 'x-trace-id');
    const text = typeof response.data === 'string' ? response.data : '';
    if (response.status !== 200) {
      const error = mapUpstreamError(
        {
          httpStatus: response.status,
          body: text,
          retryAfter: header(response, 'retry-after'),
          traceIdHeader,
        },
        redact,
      );
      this.balance.heard(error);
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new MalformedUpstreamResponseError(200, 'a body that is not JSON');
    }
    const { resultCodes } = this.options;
    return mapCheck3eResult(parsed, redact, traceIdHeader, resultCodes);
  }

  /**
   * Posts the body and reads the raw answer, whatever its status; a call
   * that gets no complete answer becomes the typed error for how far it got.
   */
  private async post(body: Check3eWireRequest): Promise<AxiosResponse<string>> {
    // The timeout bounds the whole call, connect to last byte; a socket
    // idle timeout would let a trickling body run on for ever.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.options.timeoutMs);
    try {
      return await firstValueFrom(
        this.http.post<string>(this.url, body, {
          headers: {
            authorization: `Bearer ${this.options.apiToken}`,
            accept: 'application/json',
            'content-type': 'application/json',
          },
          signal: deadline.signal,
          cancelToken: NEVER_CANCELLED,
          adapter: this.transport.adapter,
          // Read the raw text: a non-JSON body must be seen, not half-parsed.
          responseType: 'text',
          transformResponse: [(data: unknown) => data],
          validateStatus: () => true,
          maxContentLength: MAX_RESPONSE_BYTES,
        }),
      );
    } catch (error) {
      throw mapTransportFailure(
        error,
        this.options.timeoutMs,
        deadline.signal.aborted,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  // After the HTTP server has drained: in-flight calls must finish first.
  async onApplicationShutdown(): Promise<void> {
    await this.transport.close();
  }
}
