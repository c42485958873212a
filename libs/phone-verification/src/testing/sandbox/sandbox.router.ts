import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerFor, type Check3eFields } from './sandbox.answers.js';
import { perform } from './sandbox.behaviours.js';
import type { SandboxCallLog } from './sandbox.call-log.js';
import { SandboxDecryptionError, decryptFields } from './sandbox.encryption.js';
import { readBody, sendError, sendJson } from './sandbox.http.js';
import type { SandboxTimers } from './sandbox.timers.js';

const CHECK_3E_PATH = '/identity/phone/check-3e';

/** What the routes share. */
export interface SandboxContext {
  readonly token: string;
  readonly latencyMs: number;
  readonly log: SandboxCallLog;
  readonly timers: SandboxTimers;
}

function isFields(
  body: Record<string, unknown>,
): body is Record<string, unknown> & Check3eFields {
  return ['name', 'phone', 'id_card'].every(
    (field) => typeof body[field] === 'string' && body[field] !== '',
  );
}

/** Parses, authenticates and decrypts a check-3e call; answers it after the latency. */
async function check3e(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: SandboxContext,
): Promise<void> {
  const raw = await readBody(req);
  if (req.headers.authorization !== `Bearer ${ctx.token}`) {
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
  let fields: Record<string, unknown>;
  try {
    fields = decryptFields(body as Record<string, unknown>);
  } catch (error) {
    const message =
      error instanceof SandboxDecryptionError
        ? error.message
        : 'decryption failed';
    return sendError(res, 400, 'decryption_failed', message);
  }
  // Counted on receipt, so a test can see a call that is still in flight.
  const count =
    typeof fields.phone === 'string' ? ctx.log.record(fields.phone) : 0;
  ctx.timers.later(() => {
    if (!isFields(fields)) {
      const message = 'name, phone and id_card are required strings';
      return sendError(res, 400, 'bad_request', message);
    }
    const detailed = fields.verify_mode === '1' || fields.verify_mode === 1;
    perform(res, answerFor(fields, count), {
      phone: fields.phone,
      detailed,
      log: ctx.log,
      timers: ctx.timers,
    });
  }, ctx.latencyMs);
}

/**
 * The sandbox's routes: `POST /identity/phone/check-3e`, as AceData;
 * `GET /__sandbox/calls` and `POST /__sandbox/reset`, its call log.
 */
export async function route(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: SandboxContext,
): Promise<void> {
  const path = (req.url ?? '').split('?')[0];
  if (req.method === 'GET' && path === '/__sandbox/calls')
    return sendJson(res, 200, ctx.log.snapshot());
  if (req.method === 'POST' && path === '/__sandbox/reset') {
    ctx.log.reset();
    return sendJson(res, 200, { reset: true });
  }
  if (path !== CHECK_3E_PATH)
    return sendError(res, 404, 'not_found', 'No such endpoint');
  if (req.method !== 'POST')
    return sendError(res, 405, 'method_not_allowed', 'Use POST');
  return check3e(req, res, ctx);
}
