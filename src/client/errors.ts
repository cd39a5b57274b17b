/**
 * Errors of the model API, by cause, so callers branch on types, not message text. No message, field or
 * body kept here ever holds the API key: every text passes through `redact` first.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  /** The server's `x-should-retry` header, which overrides the rules of `retryable`. */
  shouldRetry: boolean | undefined;
  /** From retry-after-ms / Retry-After, when the server said. */
  retryAfterMs: number | undefined;
  constructor(
    message: string,
    /** HTTP status, when the server answered. */
    readonly status?: number,
    /** The server's error body (parsed JSON or text), redacted. */
    readonly body?: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /**
   * Worth sending the same request again, as openai-node decides: the server's x-should-retry first,
   * then 408, 409, 429, 5xx, timeouts and dropped connections. Whether a create may be sent again is
   * narrower: see ResponsesClient.send.
   */
  get retryable(): boolean {
    return this.shouldRetry ?? this.retryableByKind;
  }

  protected get retryableByKind(): boolean {
    return false;
  }
}

/** 400 / 422: the request is wrong; retrying will not help. */
export class BadRequestError extends ApiError {
  override name = 'BadRequestError';
}

/** 401 / 403: the key is missing, wrong, or not allowed. */
export class AuthError extends ApiError {
  override name = 'AuthError';
}

/** 404: no such response (or the server has forgotten it). */
export class NotFoundError extends ApiError {
  override name = 'NotFoundError';
}

/** 409: the response is not in a state that allows this (e.g. cancel of a finished one), or a lock. */
export class ConflictError extends ApiError {
  override name = 'ConflictError';
  protected override get retryableByKind() {
    return true;
  }
}

/** 408: the server gave up waiting for the request. */
export class RequestTimeoutError extends ApiError {
  override name = 'RequestTimeoutError';
  protected override get retryableByKind() {
    return true;
  }
}

export class RateLimitError extends ApiError {
  override name = 'RateLimitError';
  protected override get retryableByKind() {
    return true;
  }
}

/** 5xx. */
export class ServerError extends ApiError {
  override name = 'ServerError';
  protected override get retryableByKind() {
    return true;
  }
}

/** The connection failed or dropped before an answer (refused, reset, DNS), or broke during one. */
export class NetworkError extends ApiError {
  override name = 'NetworkError';
  /** The request surely never reached the server (refused, DNS, unreachable): safe to send again. */
  neverSent = false;
  protected override get retryableByKind() {
    return true;
  }
}

/** No answer within the configured timeout. */
export class TimeoutError extends ApiError {
  override name = 'TimeoutError';
  protected override get retryableByKind() {
    return true;
  }
}

/** The caller's signal aborted the request. */
export class AbortError extends ApiError {
  override name = 'AbortError';
}

/**
 * The server reported an error inside an event stream (an `error` event): quota, image too large, bad
 * request, overload. `code` is the server's; `transient` when the code says a new attempt may succeed.
 */
export class StreamErrorEvent extends ApiError {
  override name = 'StreamErrorEvent';
  constructor(
    message: string,
    readonly code: string | undefined,
    body: unknown,
  ) {
    super(message, undefined, body);
  }
  protected override get retryableByKind() {
    return this.code !== undefined && TRANSIENT_CODES.has(this.code);
  }
}

/** Error codes that say "try again" (OpenAI's and the usual gateway ones); quota and bad input do not. */
const TRANSIENT_CODES = new Set([
  'server_error',
  'internal_error',
  'service_unavailable',
  'overloaded',
  'overloaded_error',
  'rate_limit_exceeded',
  'timeout',
]);

/**
 * The event stream cannot be used (no response id, frames deskhand cannot read, nothing in it) and
 * nothing of it was acted on: the caller may ask again without streaming.
 */
export class UnusableStreamError extends ApiError {
  override name = 'UnusableStreamError';
}

/** Replaces every occurrence of the secret with a placeholder. */
export function redact(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  return text.split(secret).join('[redacted]');
}

/** A parsed JSON value with the secret replaced in every string (keys included). */
export function redactDeep(value: unknown, secret: string | undefined): unknown {
  if (!secret || secret.length < 4) return value;
  if (typeof value === 'string') return redact(value, secret);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, secret));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [redact(key, secret), redactDeep(item, secret)]),
    );
  }
  return value;
}

/**
 * The server's own words from an error object of any shape: `{message}`, `{error: {message}}`,
 * `{error: "text"}`, `{detail}` (FastAPI), `{error: {code, type}}`; the code in front when there is one.
 * Lightcone types a response's `error` as an open object, so nothing here may assume a field.
 */
export function describeServerError(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim().slice(0, 500) || undefined;
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  if (typeof record.error === 'object' && record.error !== null) return describeServerError(record.error);
  if (typeof record.error === 'string') return describeServerError(record.error);
  const text = [record.message, record.detail, record.description].find(
    (value): value is string => typeof value === 'string' && value.trim() !== '',
  );
  const code = [record.code, record.type].find(
    (value): value is string | number =>
      (typeof value === 'string' && value !== '') || typeof value === 'number',
  );
  if (text) return code !== undefined ? `${text} (${code})` : text;
  if (code !== undefined) return String(code);
  if (typeof record.detail === 'object' && record.detail !== null)
    return JSON.stringify(record.detail).slice(0, 500);
  return undefined;
}

/** The typed error for an HTTP answer that is not a success. */
export function errorForStatus(
  status: number,
  body: unknown,
  what: string,
  headers?: { retryAfterMs?: number; shouldRetry?: boolean },
): ApiError {
  const error = classify(status, body, what);
  error.retryAfterMs = headers?.retryAfterMs;
  error.shouldRetry = headers?.shouldRetry;
  return error;
}

function classify(status: number, body: unknown, what: string): ApiError {
  // Without its closing period: a sentence of ours follows it.
  const said = describeServerError(body)?.replace(/\.+$/, '');
  const tail = said ? `: ${said}` : '';
  if (status === 400 || status === 422)
    return new BadRequestError(`${what} was rejected (${status})${tail}`, status, body);
  if (status === 401 || status === 403) {
    return new AuthError(
      `${what} was refused (${status})${tail}. Check the API key (TZAFON_API_KEY or OPENAI_API_KEY) and --base-url.`,
      status,
      body,
    );
  }
  if (status === 404) return new NotFoundError(`${what}: not found (404)${tail}`, status, body);
  if (status === 408)
    return new RequestTimeoutError(`${what}: the server timed out (408)${tail}`, status, body);
  if (status === 409) return new ConflictError(`${what}: conflict (409)${tail}`, status, body);
  if (status === 429) return new RateLimitError(`${what}: rate limited (429)${tail}`, status, body);
  if (status >= 500) return new ServerError(`${what}: server error (${status})${tail}`, status, body);
  return new ApiError(`${what}: unexpected HTTP ${status}${tail}`, status, body);
}
