import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  SandboxCallLog,
  type SandboxCallsSnapshot,
} from './sandbox.call-log.js';
import { sendError } from './sandbox.http.js';
import { route } from './sandbox.router.js';
import { SandboxTimers } from './sandbox.timers.js';

/** The token the sandbox accepts unless told otherwise. */
export const DEFAULT_SANDBOX_TOKEN = 'sandbox-token';

/** How to start a sandbox. */
export interface SandboxOptions {
  /** Port to listen on; 0 (the default) lets the OS choose. */
  port?: number;
  /** Host to bind; loopback by default. */
  host?: string;
  /** The bearer token it accepts. Default {@link DEFAULT_SANDBOX_TOKEN}. */
  token?: string;
  /** A fixed delay before every verification answer, modelling the carrier. */
  latencyMs?: number;
}

/** A running sandbox. */
export interface RunningSandbox {
  /** Base URL to give the library, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Calls received so far (also at `GET /__sandbox/calls`). */
  calls(): SandboxCallsSnapshot;
  /** Forgets the calls (also `POST /__sandbox/reset`). */
  resetCalls(): void;
  close(): Promise<void>;
}

/**
 * Starts a local stand-in for AceData's `POST /identity/phone/check-3e`:
 * the same request and answer shapes, the documented test identities, a
 * registry of fictional people, fault triggers, and a call log.
 */
export async function startSandbox(
  options: SandboxOptions = {},
): Promise<RunningSandbox> {
  const token = options.token ?? DEFAULT_SANDBOX_TOKEN;
  const log = new SandboxCallLog();
  const timers = new SandboxTimers();
  const context = { token, latencyMs: options.latencyMs ?? 0, log, timers };
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    route(req, res, context).catch(() => {
      if (!res.headersSent) sendError(res, 500, 'api_error', 'sandbox failure');
    });
  });
  server.keepAliveTimeout = 65_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    token,
    calls: () => log.snapshot(),
    resetCalls: () => log.reset(),
    close: async () => {
      timers.clear();
      const closed = new Promise<void>((resolve) =>
        server.close(() => resolve()),
      );
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
