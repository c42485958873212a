import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_BODY_BYTES = 64 * 1024;

/**
 * Sends a JSON answer, with an `x-trace-id` header as AceData's gateway
 * sends on every answer (the id its support asks for; the library reads it
 * when the body has no `trace_id`, as a 200's has not).
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-trace-id': randomUUID(),
    ...headers,
  });
  res.end(text);
}

/** Sends an error in AceData's error shape. */
export function sendError(
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

/** The request's body as text; `undefined` when it is over 64 KB or broke off. */
export function readBody(req: IncomingMessage): Promise<string | undefined> {
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
