/** HTTP plumbing: request bodies, recorded headers, JSON answers and OpenAI-shaped error bodies. */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { newId } from './ids.js';
import type { HttpErrorFault, JsonObject, RecordedRequest } from './types.js';

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Parsed JSON, the raw text when it is not JSON, undefined when empty. */
export function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Header names in lower case; the credential in `authorization` cut to its first 4 characters. */
export function recordedHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const recorded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    recorded[name] = name === 'authorization' ? redact(text) : text;
  }
  return recorded;
}

function redact(authorization: string): string {
  const match = /^(\S+)\s+(.*)$/.exec(authorization);
  return match ? `${match[1]} ${match[2]!.slice(0, 4)}…` : `${authorization.slice(0, 4)}…`;
}

/** `{error: {message, type, param, code}}` as OpenAI sends it (openapi `ErrorResponse`). */
export function errorBody(
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
): JsonObject {
  return { error: { message, type, param, code } };
}

export function sendJson(
  response: ServerResponse,
  record: RecordedRequest,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  record.status = status;
  if (response.destroyed) return;
  response.writeHead(status, {
    'content-type': 'application/json',
    'x-request-id': newId('req_', 16),
    ...headers,
  });
  response.end(JSON.stringify(body));
}

export function sendError(
  response: ServerResponse,
  record: RecordedRequest,
  status: number,
  message: string,
  code: string | null,
  param: string | null = null,
): void {
  sendJson(response, record, status, errorBody(message, errorType(status), code, param));
}

/** A scripted failure: its status, its body (or a fitting default) and any Retry-After headers. */
export function sendHttpFault(
  response: ServerResponse,
  record: RecordedRequest,
  fault: HttpErrorFault,
): void {
  const headers: Record<string, string> = {};
  if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
  if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
  Object.assign(headers, fault.headers);
  const body =
    fault.body ??
    (fault.status === 429
      ? errorBody(
          'Rate limit reached (scripted by the local model server).',
          'requests',
          'rate_limit_exceeded',
        )
      : errorBody(
          `Scripted HTTP ${fault.status} from the local model server.`,
          errorType(fault.status),
          null,
        ));
  sendJson(response, record, fault.status, body, headers);
}

function errorType(status: number): string {
  if (status === 429) return 'requests';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}
