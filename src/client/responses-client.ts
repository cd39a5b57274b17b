import {
  isTerminalStatus,
  normalizeStatus,
  parseResponse,
  ProtocolError,
  type ResponseObject,
  ResponseSchema,
} from '../protocol/index.js';
import {
  AbortError,
  ApiError,
  errorForStatus,
  NetworkError,
  NotFoundError,
  redact,
  redactDeep,
  TimeoutError,
} from './errors.js';
import {
  DEFAULT_RETRY,
  parseRetryAfter,
  parseShouldRetry,
  type RetryPolicy,
  retryDelay,
  sleep,
} from './retry.js';
import { ResponseStream } from './response-stream.js';
import { DEFAULT_TIMEOUTS } from './defaults.js';

export type LogLevel = 'debug' | 'info' | 'warn';
export type Logger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export { DEFAULT_TIMEOUTS };

export interface ClientOptions {
  /** e.g. https://api.tzafon.ai; the paths /v1/responses... are added. */
  baseUrl: string;
  apiKey?: string;
  /** See DEFAULT_TIMEOUTS. */
  timeoutMs?: number;
  idleTimeoutMs?: number;
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Resumes of one dropped stream before giving up. */
  maxResumes?: number;
  /** Sent with every request (OpenAI-Organization, OpenAI-Project, ...). */
  headers?: Record<string, string>;
  log?: Logger;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

/** How one request is sent (see send). */
export interface SendOptions extends RequestOptions {
  accept?: string;
  /** An event stream: the time limit stops at the headers; the idle limit watches the body. */
  stream?: boolean;
  /**
   * The request creates a response: a new attempt could make (and bill) a second one, so it is sent
   * again only after answers that mean the server did not take it (see mayRetry).
   */
  creates?: boolean;
  /** Also retry 409 Conflict (default true, as openai-node; a cancel's 409 is an answer, not a lock). */
  retryConflict?: boolean;
  /** false: one attempt only. */
  retry?: boolean;
}

/** What a cancel did; never thrown, since cancel runs on the way out of a run. */
export type CancelResult =
  | { outcome: 'cancelled'; response?: ResponseObject; said?: unknown }
  | { outcome: 'cancelling'; response?: ResponseObject; said?: unknown }
  | { outcome: 'already_finished'; status?: string; message?: string }
  | { outcome: 'not_cancellable'; message: string }
  | { outcome: 'not_found'; message: string }
  | { outcome: 'failed'; error: ApiError };

export interface DeleteResult {
  id: string;
  /** What the server said; undefined when its answer did not say. */
  deleted: boolean | undefined;
  [key: string]: unknown;
}

/**
 * The Responses API client: create (streaming or not), retrieve, cancel, delete, for Lightcone and
 * OpenAI alike. Knows nothing of screens. Every await takes the caller's AbortSignal.
 */
export class ResponsesClient {
  private readonly baseUrl: string;
  readonly retryPolicy: RetryPolicy;
  readonly options: Required<
    Pick<ClientOptions, 'timeoutMs' | 'idleTimeoutMs' | 'requestTimeoutMs' | 'maxResumes'>
  > &
    ClientOptions;

  constructor(options: ClientOptions) {
    // OpenAI's own convention puts /v1 in the base URL; the paths here carry it.
    this.baseUrl = options.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
    this.retryPolicy = { ...DEFAULT_RETRY, ...options.retry };
    this.options = { ...DEFAULT_TIMEOUTS, maxResumes: 3, ...options };
  }

  /**
   * Creates a response and waits for the whole of it (stream: false), within requestTimeoutMs. An
   * answer cut off mid-body is recovered by its id (retrieve) when the id made it through.
   */
  async create(body: Record<string, unknown>, options: RequestOptions = {}): Promise<ResponseObject> {
    const what = 'create response';
    try {
      return parseResponse(
        await this.sendJson(
          'POST',
          '/v1/responses',
          { ...body, stream: false },
          { ...options, creates: true },
          what,
        ),
      );
    } catch (error) {
      const id = error instanceof BrokenBodyError ? error.responseId : undefined;
      if (!id) throw error instanceof BrokenBodyError ? error.networkError : error;
      this.log('info', `${what}: the answer broke off; fetching ${id} instead of creating it again`);
      return this.waitForFinish(id, options.signal);
    }
  }

  /** Creates a response and streams its events; see ResponseStream. */
  stream(body: Record<string, unknown>, options: RequestOptions = {}): ResponseStream {
    return new ResponseStream(this, { ...body, stream: true }, options.signal);
  }

  async retrieve(id: string, options: RequestOptions = {}): Promise<ResponseObject> {
    const what = `get ${id}`;
    return parseResponse(await this.sendJson('GET', responsePath(id), undefined, options, what));
  }

  /** Retrieves until the response is over (a background or cut-off one), backing off to 4 s a poll. */
  async waitForFinish(id: string, signal?: AbortSignal): Promise<ResponseObject> {
    for (let delay = 250; ; delay = Math.min(delay * 2, 4000)) {
      const response = await this.retrieve(id, { signal });
      if (isTerminalStatus(normalizeStatus(response.status))) return response;
      await sleep(delay, signal);
    }
  }

  /**
   * Asks the server to stop a response. Idempotent for the caller: a response already finished, one the
   * server does not know, or one it will not cancel (OpenAI: not background) is reported, not thrown.
   * Reads every cancel answer seen: the response (Lightcone, OpenAI), `{canceled: bool}` or Clear
   * Street's `{data: {canceled: bool}, metadata}`.
   */
  async cancel(id: string, options: RequestOptions = {}): Promise<CancelResult> {
    const what = `cancel ${id}`;
    try {
      const said = await this.sendJson(
        'POST',
        `${responsePath(id)}/cancel`,
        undefined,
        { ...options, retryConflict: false },
        what,
      );
      const flag = cancelFlag(said);
      if (flag === true) return { outcome: 'cancelled', said };
      if (flag === false) return { outcome: 'already_finished', message: 'the server did not cancel it' };
      // The response itself (Lightcone, OpenAI), or at least its status: some servers leave out the id.
      const parsed = ResponseSchema.safeParse(said);
      const response = parsed.success ? parsed.data : undefined;
      const status = normalizeStatus((said as { status?: unknown } | null)?.status);
      if (status === 'cancelled') return { outcome: 'cancelled', response, said };
      if (isTerminalStatus(status)) return { outcome: 'already_finished', status };
      if (status) return { outcome: 'cancelling', response, said };
      const shown = this.redact(JSON.stringify(said)).slice(0, 200);
      return { outcome: 'failed', error: new ApiError(`${what}: an answer deskhand cannot read: ${shown}`) };
    } catch (error) {
      if (!(error instanceof ApiError)) {
        if (error instanceof ProtocolError) return { outcome: 'failed', error: new ApiError(error.message) };
        throw error;
      }
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

  /**
   * Deletes a stored response. Reports what the server said (`deleted` may be false); a 404 or 405 may
   * mean the server has no DELETE at all (the newest Lightcone API has none), and the error says so.
   */
  async delete(id: string, options: RequestOptions = {}): Promise<DeleteResult> {
    const what = `delete ${id}`;
    let said: unknown;
    try {
      said = await this.sendJson('DELETE', responsePath(id), undefined, options, what);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 405)) {
        error.message =
          error.status === 405
            ? `${what}: this server does not support deleting responses (405)`
            : `${error.message}. Either no response has this id, or this server does not support deleting responses (the current Lightcone API has no DELETE).`;
      }
      throw error;
    }
    const body = (typeof said === 'object' && said !== null ? said : {}) as Record<string, unknown>;
    const data = (typeof body.data === 'object' && body.data !== null ? body.data : body) as Record<
      string,
      unknown
    >;
    return {
      ...body,
      id: typeof data.id === 'string' ? data.id : id,
      deleted: typeof data.deleted === 'boolean' ? data.deleted : undefined,
    };
  }

  /** A request whose whole JSON answer is read within the time limit; retried per `mayRetry`. */
  async sendJson(
    method: string,
    path: string,
    body: unknown,
    options: SendOptions,
    what: string,
  ): Promise<unknown> {
    const limit = options.creates ? this.options.requestTimeoutMs : this.options.timeoutMs;
    return this.withRetries(options, what, async () => {
      const timer = new Deadline(limit, options.creates);
      try {
        const response = await this.attempt(method, path, body, options, what, timer);
        return await this.readJson(response, what, timer);
      } finally {
        timer.clear();
      }
    });
  }

  /** Opens an event stream: retried per `mayRetry`; the time limit ends at the headers. */
  async openStream(
    method: string,
    path: string,
    body: unknown,
    options: SendOptions,
    what: string,
  ): Promise<Response> {
    return this.withRetries(options, what, async () => {
      const timer = new Deadline(this.options.timeoutMs);
      try {
        return await this.attempt(method, path, body, { ...options, stream: true }, what, timer);
      } finally {
        timer.clear();
      }
    });
  }

  private async withRetries<T>(options: SendOptions, what: string, once: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await once();
      } catch (error) {
        if (!(error instanceof ApiError) || !this.mayRetry(error, options)) throw error;
        if (attempt > this.retryPolicy.maxRetries) {
          if (this.retryPolicy.maxRetries > 0)
            error.message = `${error.message} (gave up after ${attempt} attempts)`;
          throw error;
        }
        const delay = retryDelay(attempt, error, this.retryPolicy);
        this.log(
          'warn',
          `${error.message}; retry ${attempt} of ${this.retryPolicy.maxRetries} in ${delay} ms`,
          {
            retry: attempt,
            delayMs: delay,
            status: error.status,
          },
        );
        await sleep(delay, options.signal);
      }
    }
  }

  /**
   * openai-node's rules (ApiError.retryable), narrowed for a create: it is not sent again after a
   * timeout or a break once the server answered, since it may be running (and billed) already.
   */
  private mayRetry(error: ApiError, options: SendOptions): boolean {
    if (options.retry === false || error instanceof AbortError) return false;
    if (error.status === 409 && options.retryConflict === false) return false;
    if (options.creates) {
      if (error instanceof TimeoutError || error instanceof BrokenBodyError) return false;
      if (error instanceof NetworkError) return error.shouldRetry ?? true; // no answer at all
    }
    return error.retryable;
  }

  private async attempt(
    method: string,
    path: string,
    body: unknown,
    options: SendOptions,
    what: string,
    timer: Deadline,
  ): Promise<Response> {
    const signal = options.signal ? AbortSignal.any([options.signal, timer.signal]) : timer.signal;
    const headers: Record<string, string> = {
      ...this.options.headers,
      accept: options.accept ?? 'application/json',
    };
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
      if (timer.expired) throw this.timeoutError(what, options);
      throw this.networkError(what, error);
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    let parsed: unknown = this.redact(text);
    try {
      parsed = redactDeep(JSON.parse(text), this.options.apiKey);
    } catch {
      // not JSON: keep the (redacted) text
    }
    throw errorForStatus(response.status, parsed, what, {
      retryAfterMs: parseRetryAfter(response.headers),
      shouldRetry: parseShouldRetry(response.headers),
    });
  }

  private timeoutError(what: string, options: SendOptions): TimeoutError {
    const [limit, flag, missing] =
      options.creates && !options.stream
        ? [this.options.requestTimeoutMs, '--request-timeout', 'no complete answer']
        : options.stream
          ? [this.options.timeoutMs, '--timeout', 'no answer began']
          : [this.options.timeoutMs, '--timeout', 'no answer'];
    return new TimeoutError(`${what}: ${missing} from ${this.baseUrl} within ${limit / 1000} s (${flag})`);
  }

  private networkError(what: string, error: unknown): NetworkError {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? cause?.message ?? (error as Error).message;
    const failure = new NetworkError(this.redact(`${what}: cannot reach ${this.baseUrl} (${code})`));
    failure.neverSent = NEVER_SENT_CODES.has(cause?.code ?? '');
    return failure;
  }

  /** The body as JSON; a break mid-body is a network error that carries the response id if it got through. */
  async readJson(response: Response, what: string, timer?: Deadline): Promise<unknown> {
    const decoder = new TextDecoder();
    let text = '';
    try {
      // Read piece by piece, so that what arrived before a break is still here to recover from.
      for await (const chunk of response.body ?? []) text += decoder.decode(chunk, { stream: true });
      text += decoder.decode();
    } catch (error) {
      if (timer?.expired) throw this.timeoutError(what, { creates: timer.creates });
      const broken = this.networkError(what, error);
      broken.message = this.redact(`${what}: the answer broke off (${(error as Error).message})`);
      throw new BrokenBodyError(broken, text);
    }
    try {
      return redactDeep(JSON.parse(text), this.options.apiKey);
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

/** Connection errors that mean the request never left this machine or never reached a server. */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/** A JSON answer that broke off after the server began it; `responseId` when the id got through. */
class BrokenBodyError extends NetworkError {
  override name = 'NetworkError';
  readonly responseId: string | undefined;
  constructor(
    readonly networkError: NetworkError,
    partial: string,
  ) {
    super(networkError.message);
    this.responseId = /^\s*\{\s*"id"\s*:\s*"([^"\\]+)"/.exec(partial)?.[1];
  }
}

/** A time limit as an AbortSignal that can be stopped (unlike AbortSignal.timeout) once it is met. */
class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  expired = false;
  constructor(
    ms: number,
    /** A create's limit (--request-timeout), for the message. */
    readonly creates = false,
  ) {
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort();
    }, ms);
  }
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  clear(): void {
    clearTimeout(this.timer);
  }
}

function responsePath(id: string): string {
  return `/v1/responses/${encodeURIComponent(id)}`;
}

/** `{canceled: bool}` / `{cancelled: bool}`, at the top or under `data`; undefined for other shapes. */
function cancelFlag(said: unknown): boolean | undefined {
  if (typeof said !== 'object' || said === null) return undefined;
  const record = said as Record<string, unknown>;
  for (const where of [record, record.data]) {
    if (typeof where !== 'object' || where === null) continue;
    const flag = (where as Record<string, unknown>).canceled ?? (where as Record<string, unknown>).cancelled;
    if (typeof flag === 'boolean') return flag;
  }
  return undefined;
}
