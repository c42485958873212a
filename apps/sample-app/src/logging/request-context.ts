import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line of a request carries. */
export interface RequestContext {
  readonly requestId: string;
}

/** The current request's context, for log lines written deep in the call. */
export const requestContext = new AsyncLocalStorage<RequestContext>();
