import {
  isTerminalStatus,
  normalizeStatus,
  parseResponse,
  ProtocolError,
  type ResponseObject,
} from '../protocol/index.js';
import {
  AbortError,
  ApiError,
  errorForStatus,
  NetworkError,
  NotFoundError,
  redact,
  TimeoutError,
} from './errors.js';
import { DEFAULT_RETRY, parseRetryAfter, type RetryPolicy, retryDelay, sleep } from './retry.js';
import { ResponseStream } from './response-stream.js';

export type LogLevel = 'debug' | 'info' | 'warn';
export type Logger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export interface ClientOptions {
  /** e.g. https://api.tzafon.ai; the paths /v1/responses... are added. */
  baseUrl: string;
  apiKey?: string;
  /** Until the response headers arrive. */
  timeoutMs?: number;
  /** Longest silence on an open event stream before it counts as dropped. */
  idleTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Resumes of one dropped stream before giving up. */
  maxResumes?: number;
  log?: Logger;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

/** What a cancel did; never thrown, since cancel runs on the way out of a run. */
export type CancelResult =
  | { outcome: 'cancelled'; response: ResponseObject }
  | { outcome: 'cancelling'; response: ResponseObject }
  | { outcome: 'already_finished'; status: string; message?: string }
  | { outcome: 'not_cancellable'; message: string }
  | { outcome: 'not_found'; message: string }
  | { outcome: 'failed'; error: ApiError };

export interface DeleteResult {
  id: string;
  deleted: boolean;
  [key: string]: unknown;
}

/**
 * The Responses API client: create (streaming or not), retrieve, cancel, delete, for Lightcone and
 * OpenAI alike. Knows nothing of screens. Every await takes the caller's AbortSignal.
 */
export class ResponsesClient {
  private readonly baseUrl: string;
  readonly retryPolicy: RetryPolicy;
  readonly options: Required<Pick<ClientOptions, 'timeoutMs' | 'idleTimeoutMs' | 'maxResumes'>> &
    ClientOptions;

  constructor(options: ClientOptions) {
    // OpenAI's own convention puts /v1 in the base URL; the paths here carry it.
    this.baseUrl = options.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
    this.retryPolicy = { ...DEFAULT_RETRY, ...options.retry };
    this.options = { timeoutMs: 60_000, idleTimeoutMs: 120_000, maxResumes: 3, ...options };
  }

  /** Creates a response and waits for the whole of it (stream: false). */
  async create(body: Record<string, unknown>, options: RequestOptions = {}): Promise<ResponseObject> {
    const response = await this.send(
      'POST',
      '/v1/responses',
      { ...body, stream: false },
      options,
      'create response',
    );
    return this.readResponse(response, 'create response');
  }

  /** Creates a response and streams its events; see ResponseStream. */
  stream(body: Record<string, unknown>, options: RequestOptions = {}): ResponseStream {
    return new ResponseStream(this, { ...body, stream: true }, options.signal);
  }

  async retrieve(id: string, options: RequestOptions = {}): Promise<ResponseObject> {
    const response = await this.send(
      'GET',
      `/v1/responses/${encodeURIComponent(id)}`,
      undefined,
      options,
      `get ${id}`,
    );
    return this.readResponse(response, `get ${id}`);
  }

  /**
   * Asks the server to stop a response. Idempotent for the caller: a response already finished, one the
   * server does not know, or one it will not cancel (OpenAI: not background) is reported, not thrown.
   */
  async cancel(id: string, options: RequestOptions = {}): Promise<CancelResult> {
    const what = `cancel ${id}`;
    try {
      const response = await this.send(
        'POST',
        `/v1/responses/${encodeURIComponent(id)}/cancel`,
        undefined,
        options,
        what,
      );
      const result = await this.readResponse(response, what);
      const status = normalizeStatus(result.status);
      if (status === 'cancelled') return { outcome: 'cancelled', response: result };
      if (isTerminalStatus(status)) return { outcome: 'already_finished', status };
      return { outcome: 'cancelling', response: result };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error instanceof NotFoundError) return { outcome: 'not_found', message: error.message };
      if (error.status === 400 || error.status === 409) {
        // Lightcone: "only responses with status in_progress can be cancelled"; say which status it has.
        const current = await this.retrieve(id, options).catch(() => undefined);
        const status = normalizeStatus(current?.status);
        // Already cancelled (e.g. by our own closing of its stream): that is what the caller wanted.
        if (current && status === 'cancelled') return { outcome: 'cancelled', response: current };
        if (status && isTerminalStatus(status))
          return { outcome: 'already_finished', status, message: error.message };
        return { outcome: 'not_cancellable', message: error.message };
      }
      return { outcome: 'failed', error };
    }
  }

  async delete(id: string, options: RequestOptions = {}): Promise<DeleteResult> {
    const response = await this.send(
      'DELETE',
      `/v1/responses/${encodeURIComponent(id)}`,
      undefined,
      options,
      `delete ${id}`,
    );
    const body = (await this.readJson(response, `delete ${id}`)) as Partial<DeleteResult> & {
      canceled?: boolean;
    };
    return { ...body, id: typeof body.id === 'string' ? body.id : id, deleted: body.deleted ?? true };
  }

  /**
   * One HTTP request with the retry policy for errors worth retrying (429 honouring Retry-After, 5xx,
   * dropped connections, timeouts). `retry: false` makes one attempt only.
   */
  async send(
    method: string,
    path: string,
    body: unknown,
    options: RequestOptions & { accept?: string; retry?: boolean },
    what: string,
  ): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(method, path, body, options, what);
      } catch (error) {
        if (!(error instanceof ApiError) || !error.retryable || options.retry === false) throw error;
        if (attempt > this.retryPolicy.maxRetries) {
          error.message = `${error.message} (after ${attempt} attempts)`;
          throw error;
        }
        const delay = retryDelay(attempt, error, this.retryPolicy);
        this.log('info', `${what}: retrying in ${delay} ms`, { attempt, error: error.message });
        await sleep(delay, options.signal);
      }
    }
  }

  private async attempt(
    method: string,
    path: string,
    body: unknown,
    options: RequestOptions & { accept?: string },
    what: string,
  ): Promise<Response> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (options.signal?.aborted) throw new AbortError(`${what}: aborted`);
      if (timeout.aborted)
        throw new TimeoutError(`${what}: no answer from ${this.baseUrl} within ${this.options.timeoutMs} ms`);
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new NetworkError(
        this.redact(
          `${what}: cannot reach ${this.baseUrl} (${cause?.code ?? cause?.message ?? (error as Error).message})`,
        ),
        undefined,
        undefined,
      );
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    let parsed: unknown = this.redact(text);
    try {
      parsed = JSON.parse(this.redact(text));
    } catch {
      // not JSON: keep the text
    }
    throw errorForStatus(response.status, parsed, what, parseRetryAfter(response.headers));
  }

  async readJson(response: Response, what: string): Promise<unknown> {
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      throw new ProtocolError(
        `${what}: the server answered with something that is not JSON`,
        this.redact(text),
      );
    }
  }

  async readResponse(response: Response, what: string): Promise<ResponseObject> {
    return parseResponse(await this.readJson(response, what));
  }

  redact(text: string): string {
    return redact(text, this.options.apiKey);
  }

  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    this.options.log?.(level, this.redact(message), fields);
  }
}
