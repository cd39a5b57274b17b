import { AbortError, type ApiError } from './errors.js';

/**
 * When and how long to wait before trying a request again. The rules are openai-node's (its
 * `shouldRetry` and `calculateDefaultRetryTimeoutMillis`), so deskhand retries exactly what the
 * reference client retries: see ApiError.retryable for which errors.
 */
export interface RetryPolicy {
  /** Retries after the first attempt (openai-node: 2). */
  maxRetries: number;
  /** The first backoff; it doubles each retry up to maxDelayMs (openai-node: 0.5 s and 8 s). */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 2, baseDelayMs: 500, maxDelayMs: 8000 };

/** A server's Retry-After longer than this is not waited for: backoff applies instead (openai-node). */
const MAX_RETRY_AFTER_MS = 60_000;

/** Sleeps, waking early with an AbortError when the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new AbortError('aborted'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The wait before retry number `attempt` (1-based): the server's retry-after-ms / Retry-After when it
 * gave one of at most a minute, else exponential backoff (0.5 s doubling to 8 s) less up to 25 % jitter,
 * so many clients do not retry in step.
 */
export function retryDelay(
  attempt: number,
  error: ApiError,
  policy: RetryPolicy,
  random = Math.random,
): number {
  const said = error.retryAfterMs;
  if (said !== undefined && said >= 0 && said <= MAX_RETRY_AFTER_MS) return Math.round(said);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling * (1 - random() * 0.25));
}

/** Retry-After as seconds or an HTTP date, or retry-after-ms; undefined when absent or unreadable. */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** `x-should-retry: true|false`: the server's own word on retrying, which overrides the status rules. */
export function parseShouldRetry(headers: Headers): boolean | undefined {
  const value = headers.get('x-should-retry')?.trim().toLowerCase();
  return value === 'true' ? true : value === 'false' ? false : undefined;
}
