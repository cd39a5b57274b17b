/**
 * Errors of the model API, by cause, so callers branch on types, not message text. No message, field or
 * body kept here ever holds the API key: every text passes through `redact` first.
 */
export class ApiError extends Error {
  override name = 'ApiError';
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

  /** Worth retrying the same request: rate limits, server errors, dropped connections. */
  get retryable(): boolean {
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

/** 409: the response is not in a state that allows this (e.g. cancel of a finished one). */
export class ConflictError extends ApiError {
  override name = 'ConflictError';
}

export class RateLimitError extends ApiError {
  override name = 'RateLimitError';
  constructor(
    message: string,
    status: number,
    body: unknown,
    /** From Retry-After / retry-after-ms, when the server said. */
    readonly retryAfterMs?: number,
  ) {
    super(message, status, body);
  }
  override get retryable() {
    return true;
  }
}

/** 5xx. */
export class ServerError extends ApiError {
  override name = 'ServerError';
  override get retryable() {
    return true;
  }
}

/** The connection failed or dropped before an answer (refused, reset, DNS). */
export class NetworkError extends ApiError {
  override name = 'NetworkError';
  override get retryable() {
    return true;
  }
}

/** No answer within the configured timeout. */
export class TimeoutError extends ApiError {
  override name = 'TimeoutError';
  override get retryable() {
    return true;
  }
}

/** The caller's signal aborted the request. */
export class AbortError extends ApiError {
  override name = 'AbortError';
}

/** Replaces every occurrence of the secret (and of its Bearer header form) with a placeholder. */
export function redact(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  return text.split(secret).join('[redacted]');
}

/** The API's own error message from a body like {"error": {"message": ...}} or {"message": ...}. */
function serverMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim().slice(0, 300) || undefined;
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as { error?: unknown; message?: unknown };
  if (typeof record.message === 'string') return record.message;
  if (typeof record.error === 'string') return record.error;
  if (typeof record.error === 'object' && record.error !== null) {
    const message = (record.error as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return undefined;
}

/** The typed error for an HTTP answer that is not a success. */
export function errorForStatus(
  status: number,
  body: unknown,
  what: string,
  retryAfterMs: number | undefined,
): ApiError {
  const said = serverMessage(body);
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
  if (status === 409) return new ConflictError(`${what}: conflict (409)${tail}`, status, body);
  if (status === 429)
    return new RateLimitError(`${what}: rate limited (429)${tail}`, status, body, retryAfterMs);
  if (status >= 500) return new ServerError(`${what}: server error (${status})${tail}`, status, body);
  return new ApiError(`${what}: unexpected HTTP ${status}${tail}`, status, body);
}
