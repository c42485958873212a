import type { Server } from 'node:http';

/** How long clients may take, and how many may be connected at once. */
export interface HttpServerLimits {
  /** Time to receive a request's headers. */
  readonly headersTimeoutMs: number;
  /** Time to receive a whole request, headers and body. */
  readonly requestTimeoutMs: number;
  /** Connections held at once; more are refused. */
  readonly maxConnections: number;
}

/**
 * Fits Node's HTTP server to a ~200-byte API: a slow upload (slowloris on
 * the body) is cut after `requestTimeoutMs` instead of Node's 300 s, and the
 * timeouts are checked every second instead of every 30 s, so they hold to
 * the second. Call before `listen()`: the check interval starts then.
 */
export function applyHttpServerLimits(
  server: Server,
  limits: HttpServerLimits,
): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.maxConnections = limits.maxConnections;
  // A createServer() option that Node reads when listening starts; @types/node
  // does not declare the property.
  (
    server as Server & { connectionsCheckingInterval: number }
  ).connectionsCheckingInterval = 1_000;
}
