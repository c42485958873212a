import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  SandboxCallLog,
  type SandboxCallsSnapshot,
} from './sandbox.call-log.js';
import {
  TEST_IDENTITIES_BY_PHONE,
  type SandboxBehaviour,
} from './sandbox.identities.js';
import { REGISTERED_BY_PHONE, mismatchOf } from './sandbox.registry.js';
import { SandboxDecryptionError, decryptFields } from './sandbox.encryption.js';

/** The token the sandbox accepts unless told otherwise. */
export const DEFAULT_SANDBOX_TOKEN = 'sandbox-token';
const CHECK_3E_PATH = '/identity/phone/check-3e';
const MAX_BODY_BYTES = 64 * 1024;
const SLOW_ANSWER_MS = 60_000;
const TRICKLE_EVERY_MS = 500;
const OVERSIZED_BYTES = 1024 * 1024;

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

interface Check3eBody {
  name?: unknown;
  phone?: unknown;
  id_card?: unknown;
  verify_mode?: unknown;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): void {
  sendJson(
    res,
    status,
    { success: false, error: { code, message }, trace_id: randomUUID() },
    headers,
  );
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(
        size > MAX_BODY_BYTES
          ? undefined
          : Buffer.concat(chunks).toString('utf8'),
      ),
    );
    req.on('error', () => resolve(undefined));
  });
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
  const latencyMs = options.latencyMs ?? 0;
  const log = new SandboxCallLog();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const later = (fn: () => void, ms: number): void => {
    if (ms <= 0) return fn();
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  function behave(
    res: ServerResponse,
    behaviour: SandboxBehaviour,
    body: Check3eBody,
    phone: string,
  ): void {
    switch (behaviour.kind) {
      case 'result': {
        const detailed = body.verify_mode === '1' || body.verify_mode === 1;
        if (behaviour.result === '0' || behaviour.result === '1')
          log.markBilled(phone);
        return sendJson(res, 200, {
          result: behaviour.result,
          description: behaviour.description,
          isp: behaviour.isp ?? '',
          result_detail: detailed && behaviour.detail ? behaviour.detail : null,
        });
      }
      case 'error':
        return sendError(
          res,
          behaviour.status,
          behaviour.code,
          behaviour.message,
          behaviour.retryAfter ? { 'retry-after': behaviour.retryAfter } : {},
        );
      case 'html502':
        res.writeHead(502, { 'content-type': 'text/html' });
        return void res.end(
          '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>',
        );
      case 'reset':
        return void res.socket?.resetAndDestroy();
      case 'slow':
        return later(
          () =>
            sendJson(res, 200, {
              result: '0',
              description: 'Authentication passed (late)',
              isp: 'Mobile',
              result_detail: null,
            }),
          SLOW_ANSWER_MS,
        );
      case 'trickle': {
        log.markBilled(phone);
        const text = JSON.stringify({
          result: '0',
          description: 'Authentication passed, slowly',
          isp: 'Mobile',
          result_detail: null,
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        let sent = 0;
        const next = (): void => {
          if (res.destroyed) return;
          if (sent >= text.length) return void res.end();
          res.write(text[sent++]);
          later(next, TRICKLE_EVERY_MS);
        };
        return next();
      }
      case 'oversized':
        log.markBilled(phone);
        return sendJson(res, 200, {
          result: '0',
          description: 'x'.repeat(OVERSIZED_BYTES),
          isp: 'Mobile',
          result_detail: null,
        });
      case 'no-result':
        return sendJson(res, 200, {
          description: 'Authentication passed',
          isp: 'Mobile',
        });
      case 'not-json':
        res.writeHead(200, { 'content-type': 'text/plain' });
        return void res.end('OK');
    }
  }

  function verify(res: ServerResponse, body: Check3eBody, count: number): void {
    const { name, phone, id_card: idCard } = body;
    if (
      typeof name !== 'string' ||
      typeof phone !== 'string' ||
      typeof idCard !== 'string' ||
      !name ||
      !phone ||
      !idCard
    ) {
      return sendError(
        res,
        400,
        'bad_request',
        'name, phone and id_card are required strings',
      );
    }
    const identity = TEST_IDENTITIES_BY_PHONE.get(phone);
    if (identity) {
      if (identity.failOnce && count > 1) {
        return behave(
          res,
          {
            kind: 'result',
            result: '0',
            description: 'Authentication passed',
            isp: 'Mobile',
          },
          body,
          phone,
        );
      }
      return behave(res, identity.behaviour, body, phone);
    }
    const person = REGISTERED_BY_PHONE.get(phone);
    if (!person) {
      return behave(
        res,
        {
          kind: 'result',
          result: '-1',
          description: 'No record found',
          isp: '',
        },
        body,
        phone,
      );
    }
    const mismatch = mismatchOf(person, name, idCard);
    return behave(
      res,
      mismatch === null
        ? {
            kind: 'result',
            result: '0',
            description: 'Authentication passed',
            isp: person.isp,
          }
        : {
            kind: 'result',
            result: '1',
            description: 'Authentication failed',
            isp: person.isp,
            detail: mismatch,
          },
      body,
      phone,
    );
  }

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/__sandbox/calls')
      return sendJson(res, 200, log.snapshot());
    if (req.method === 'POST' && path === '/__sandbox/reset') {
      log.reset();
      return sendJson(res, 200, { reset: true });
    }
    if (path !== CHECK_3E_PATH)
      return sendError(res, 404, 'not_found', 'No such endpoint');
    if (req.method !== 'POST')
      return sendError(res, 405, 'method_not_allowed', 'Use POST');
    const raw = await readBody(req);
    if (req.headers.authorization !== `Bearer ${token}`) {
      return sendError(res, 401, 'invalid_token', 'Missing or invalid token');
    }
    if (raw === undefined)
      return sendError(res, 413, 'payload_too_large', 'Body too large');
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return sendError(res, 400, 'bad_request', 'Body must be JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return sendError(res, 400, 'bad_request', 'Body must be a JSON object');
    }
    let fields: Check3eBody;
    try {
      fields = decryptFields(body as Record<string, unknown>) as Check3eBody;
    } catch (error) {
      const message =
        error instanceof SandboxDecryptionError
          ? error.message
          : 'decryption failed';
      return sendError(res, 400, 'decryption_failed', message);
    }
    // Counted on receipt, so a test can see a call that is still in flight.
    const count =
      typeof fields.phone === 'string' ? log.record(fields.phone) : 0;
    later(() => verify(res, fields, count), latencyMs);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
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
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) =>
        server.close(() => resolve()),
      );
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
