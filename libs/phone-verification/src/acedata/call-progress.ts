import {
  AxiosError,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';

/** How far one call to AceData got: the one fact its failure is judged by. */
export interface CallProgress {
  /** The whole request (headers and body) was handed to the socket. */
  written: boolean;
  /** The answer's status, once its status line arrived. */
  answeredStatus?: number;
  /** Body bytes received so far. */
  bodyBytes: number;
}

/**
 * A call that failed without a complete answer, as the transport rejects
 * it: an `AxiosError` (so axios, `HttpService` and interceptors pass it on
 * as any other) carrying its {@link CallProgress}.
 */
export class TransportFailure extends AxiosError {
  constructor(
    message: string,
    code: string,
    config: InternalAxiosRequestConfig,
    readonly progress: Readonly<CallProgress>,
    response?: AxiosResponse,
  ) {
    super(message, code, config, undefined, response);
    this.name = 'TransportFailure';
  }
}

/**
 * The progress of a failed call. Anything but a {@link TransportFailure}
 * (an interceptor's own error, say) counts as written: the safe side for
 * money.
 */
export function progressOf(error: unknown): Readonly<CallProgress> {
  return error instanceof TransportFailure
    ? error.progress
    : { written: true, bodyBytes: 0 };
}
