import type { ServerResponse } from 'node:http';
import type { SandboxCallLog } from './sandbox.call-log.js';
import { sendError, sendJson } from './sandbox.http.js';
import type { SandboxBehaviour } from './sandbox.identities.js';
import type { SandboxTimers } from './sandbox.timers.js';

const SLOW_ANSWER_MS = 60_000;
const TRICKLE_EVERY_MS = 500;
const OVERSIZED_BYTES = 1024 * 1024;

/** What a behaviour needs to know about the call it answers. */
export interface BehaviourContext {
  readonly phone: string;
  /** `verify_mode` asked for the detailed answer. */
  readonly detailed: boolean;
  readonly log: SandboxCallLog;
  readonly timers: SandboxTimers;
}

const LATE_ANSWER = {
  result: '0',
  description: 'Authentication passed (late)',
  isp: 'Mobile',
  result_detail: null,
};

/** A 200 whose body arrives one character every 500 ms (billed: the carrier answered). */
function trickle(res: ServerResponse, ctx: BehaviourContext): void {
  ctx.log.markBilled(ctx.phone);
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
    ctx.timers.later(next, TRICKLE_EVERY_MS);
  };
  next();
}

/**
 * Answers one verification the way `behaviour` says: a result (billed for
 * codes 0 and 1, as AceData bills), an error body, or a fault (a gateway's
 * HTML page, a reset, a 60 s stall, a trickle, a 1 MB body, a 200 without a
 * result, a 200 that is not JSON).
 */
export function perform(
  res: ServerResponse,
  behaviour: SandboxBehaviour,
  ctx: BehaviourContext,
): void {
  switch (behaviour.kind) {
    case 'result':
      if (behaviour.result === '0' || behaviour.result === '1')
        ctx.log.markBilled(ctx.phone);
      return sendJson(res, 200, {
        result: behaviour.result,
        description: behaviour.description,
        isp: behaviour.isp ?? '',
        result_detail:
          ctx.detailed && behaviour.detail ? behaviour.detail : null,
      });
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
      return ctx.timers.later(
        () => sendJson(res, 200, LATE_ANSWER),
        SLOW_ANSWER_MS,
      );
    case 'trickle':
      return trickle(res, ctx);
    case 'oversized':
      ctx.log.markBilled(ctx.phone);
      return sendJson(res, 200, {
        ...LATE_ANSWER,
        description: 'x'.repeat(OVERSIZED_BYTES),
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
