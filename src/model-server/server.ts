/**
 * The local model server: Lightcone's or OpenAI's Responses endpoints on 127.0.0.1, answering from a
 * script. Create, retrieve (with `?stream=true&starting_after=N`), cancel and delete.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generate } from './generate.js';
import { parseBody, readBody, recordedHeaders, sendError, sendHttpFault, sendJson } from './http.js';
import { newId } from './ids.js';
import { sleep } from './pace.js';
import { checkCreate } from './request-checks.js';
import { ResponseStore, StoredResponse } from './responses-store.js';
import { ScriptPlayer, scriptedFailure } from './script.js';
import { frame, malformedFrame } from './sse.js';
import { computerTool, isObject } from './tools.js';
import type {
  Dialect,
  Fault,
  JsonObject,
  ModelServer,
  ModelServerOptions,
  RecordedRequest,
} from './types.js';

const LIGHTCONE_DEFAULT_MODEL = 'tzafon.northstar-cua-fast';

export async function startModelServer(options: ModelServerOptions): Promise<ModelServer> {
  const server = new LocalModelServer(options);
  await server.listen(options.port ?? 0);
  return server;
}

interface StreamOptions {
  after: number;
  /** Create streams only: the wire faults (drop, malformed frame). */
  fault?: Fault;
  /** Stop generation when this connection goes away (non-background create). */
  stopOnClose: boolean;
}

class LocalModelServer implements ModelServer {
  url = '';
  readonly dialect: Dialect;
  readonly requests: RecordedRequest[] = [];
  readonly #options: ModelServerOptions;
  readonly #store = new ResponseStore();
  readonly #script: ScriptPlayer;
  readonly #http: Server;
  readonly #closing = new AbortController();
  readonly #cancelIds: string[] = [];
  readonly #deleteIds: string[] = [];
  readonly #waiters = new Set<(request: RecordedRequest) => void>();

  constructor(options: ModelServerOptions) {
    this.#options = options;
    this.dialect = options.dialect;
    this.#script = new ScriptPlayer(options.dialect, options.script, options.faults);
    this.#http = createServer({ noDelay: true }, (request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify({ error: { message: `model server: ${String(error)}`, type: 'server_error' } }),
          );
        } else {
          response.destroy();
        }
      });
    });
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen(port, '127.0.0.1', () => {
        this.url = `http://127.0.0.1:${(this.#http.address() as AddressInfo).port}`;
        resolve();
      });
    });
  }

  cancelCalls(): string[] {
    return [...this.#cancelIds];
  }

  deleteCalls(): string[] {
    return [...this.#deleteIds];
  }

  responseIds(): string[] {
    return this.#store.createdIds();
  }

  response(id: string): JsonObject | undefined {
    return this.#store.get(id)?.snapshot();
  }

  waitForRequest(match: (request: RecordedRequest) => boolean, timeoutMs = 5000): Promise<RecordedRequest> {
    const found = this.requests.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = (request: RecordedRequest): void => {
        if (!match(request)) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(request);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        const seen = this.requests.map((request) => `${request.method} ${request.path}`).join(', ');
        reject(
          new Error(`model server: no matching request within ${timeoutMs} ms (received: ${seen || 'none'})`),
        );
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  async close(): Promise<void> {
    this.#closing.abort();
    for (const response of this.#store.all()) response.stop();
    for (const waiter of this.#waiters) this.#waiters.delete(waiter);
    this.#http.closeAllConnections();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }

  #notify(record: RecordedRequest): void {
    for (const waiter of [...this.#waiters]) waiter(record);
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const text = await readBody(request);
    const record: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: recordedHeaders(request.headers),
      body: parseBody(text),
      time: Date.now(),
      authorized: this.#authorized(request),
      warnings: [],
      images: [],
    };
    this.requests.push(record);
    this.#notify(record);
    response.on('finish', () => this.#notify(record));
    try {
      await this.#route(request, response, record, url);
    } finally {
      this.#notify(record);
    }
  }

  #authorized(request: IncomingMessage): boolean {
    const key = this.#options.apiKey;
    if (key === undefined) return true;
    const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
    return match?.[1] === key;
  }

  async #route(
    request: IncomingMessage,
    response: ServerResponse,
    record: RecordedRequest,
    url: URL,
  ): Promise<void> {
    if (!record.authorized) {
      const message = 'Missing or incorrect API key. Send the header `Authorization: Bearer <your key>`.';
      return sendError(response, record, 401, message, 'invalid_api_key');
    }
    const parts = url.pathname.split('/').filter(Boolean);
    const [version, collection, rawId, action] = parts;
    if (
      version !== 'v1' ||
      collection !== 'responses' ||
      parts.length > 4 ||
      (action && action !== 'cancel')
    ) {
      return sendError(
        response,
        record,
        404,
        `Unknown endpoint ${record.method} ${url.pathname}.`,
        'unknown_url',
      );
    }
    const method = record.method;
    const wrongMethod = (): void =>
      sendError(response, record, 405, `${method} is not allowed on ${url.pathname}.`, 'method_not_allowed');
    if (rawId === undefined)
      return method === 'POST' ? this.#create(request, response, record) : wrongMethod();
    const id = decodeURIComponent(rawId);
    const stored = this.#store.get(id);
    if (action === 'cancel') {
      if (method !== 'POST') return wrongMethod();
      this.#cancelIds.push(id);
      // A slow cancel endpoint, for clients that must not wait on it forever.
      const delay = this.#options.cancelDelayMs ?? 0;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    } else if (method === 'DELETE') {
      this.#deleteIds.push(id);
    } else if (method !== 'GET') {
      return wrongMethod();
    }
    if (!stored)
      return sendError(response, record, 404, `No response found with id '${id}'.`, 'response_not_found');
    record.responseId = id;
    if (action === 'cancel') return this.#cancel(response, record, stored);
    if (method === 'DELETE') return this.#delete(response, record, stored);
    return this.#retrieve(response, record, stored, url);
  }

  async #create(request: IncomingMessage, response: ServerResponse, record: RecordedRequest): Promise<void> {
    const body = record.body;
    if (!isObject(body)) {
      const message = 'We could not parse the JSON body of your request: send a JSON object.';
      return sendError(response, record, 400, message, 'invalid_json');
    }
    const checks = checkCreate(this.dialect, body, this.#store);
    record.warnings = checks.warnings;
    record.images = checks.images;
    if (checks.chainErrors.length > 0) record.chainError = checks.chainErrors.join('; ');
    this.#notify(record);

    const next = await this.#script.next(body, checks.previous?.snapshot());
    const failure = scriptedFailure(next.fault, next.attempt);
    if (failure === 'reset') {
      record.status = 0;
      request.socket.destroy();
      return;
    }
    if (failure) return sendHttpFault(response, record, failure);
    const reject = checks.reject;
    if (reject) return sendError(response, record, reject.status, reject.message, reject.code, reject.param);
    if (this.#options.strictChaining && record.chainError) {
      const message = `The request is not chained to the previous turn: ${record.chainError}.`;
      return sendError(response, record, 400, message, 'invalid_chaining', 'previous_response_id');
    }

    const streaming = body.stream === true && !next.fault.forceJson;
    if (streaming && streamFault(response, record, next.fault, next.attempt)) return;

    const gone = new AbortController();
    response.on('close', () => gone.abort());
    try {
      await sleep(next.fault.delayMs, AbortSignal.any([gone.signal, this.#closing.signal]));
    } catch {
      return; // the client left (or the server closed) before anything existed
    }

    this.#script.served(next.turnIndex);
    // Both APIs take `background` now (Lightcone's newest SDK too).
    const background = body.background === true;
    const stored = new StoredResponse(this.dialect, body, {
      model: typeof body.model === 'string' ? body.model : LIGHTCONE_DEFAULT_MODEL,
      background,
      computerId: checks.previous?.setup.computerId ?? randomUUID(),
      ...(this.dialect === 'lightcone' ? viewport(body) : {}),
    });
    this.#store.add(stored);
    record.responseId = stored.id;
    record.turnIndex = next.turnIndex;
    const accepted = stored.snapshot();
    void generate(stored, next.turn, next.fault);

    const stopOnClose = !background && this.#options.clientCloseCancels !== false;
    if (streaming) {
      return this.#stream(response, record, stored, { after: -1, fault: next.fault, stopOnClose });
    }
    if (background) return sendJson(response, record, 200, accepted);
    const cut = next.fault.resetMidBody;
    await Promise.race([
      stored.done,
      new Promise((resolve) => gone.signal.addEventListener('abort', resolve)),
    ]);
    if (stored.active) {
      if (stopOnClose) stored.stop();
      return;
    }
    if (cut) return sendCutJson(response, record, stored.snapshot(), cut);
    sendJson(response, record, 200, stored.snapshot());
  }

  #retrieve(
    response: ServerResponse,
    record: RecordedRequest,
    stored: StoredResponse,
    url: URL,
  ): Promise<void> | void {
    if (url.searchParams.get('stream') !== 'true') return sendJson(response, record, 200, stored.snapshot());
    if (this.dialect === 'openai' && !stored.setup.background) {
      const message =
        'Only responses created with background=true can be streamed again; retrieve it without stream.';
      return sendError(response, record, 400, message, 'invalid_request', 'stream');
    }
    const raw = url.searchParams.get('starting_after');
    const after = raw === null ? -1 : Number(raw);
    if (!Number.isInteger(after) || after < -1) {
      const message = `Invalid 'starting_after': ${JSON.stringify(raw)}. Expected an integer sequence number.`;
      return sendError(response, record, 400, message, 'invalid_value', 'starting_after');
    }
    return this.#stream(response, record, stored, { after, stopOnClose: false });
  }

  /** OpenAI: background responses only, idempotent. Lightcone: in-progress responses only. */
  #cancel(response: ServerResponse, record: RecordedRequest, stored: StoredResponse): void {
    if (this.dialect === 'openai') {
      if (!stored.setup.background) {
        const message =
          'Only responses created with background=true can be cancelled. Close the stream to stop it.';
        return sendError(response, record, 400, message, 'response_not_cancellable');
      }
      stored.stop();
      return sendJson(response, record, 200, stored.snapshot());
    }
    if (!stored.stop()) {
      const message = `Only responses with status in_progress can be cancelled; ${stored.id} is ${stored.status}.`;
      return sendError(
        response,
        record,
        this.#options.cancelRejectStatus ?? 400,
        message,
        'response_not_cancellable',
      );
    }
    sendJson(response, record, 200, stored.snapshot());
  }

  #delete(response: ServerResponse, record: RecordedRequest, stored: StoredResponse): void {
    stored.stop();
    this.#store.delete(stored.id);
    sendJson(response, record, 200, { id: stored.id, object: 'response', deleted: true });
  }

  async #stream(
    response: ServerResponse,
    record: RecordedRequest,
    stored: StoredResponse,
    options: StreamOptions,
  ): Promise<void> {
    record.status = 200;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-request-id': newId('req_', 16),
    });
    response.flushHeaders();
    const reading = new AbortController();
    let dropped = false;
    response.on('close', () => {
      reading.abort();
      if (!dropped && options.stopOnClose) stored.stop();
    });
    const { dropAfterEvents, malformedEvent, keepAliveMs, earlyDrop } = options.fault ?? {};
    // A comment line keeps proxies (and clients' idle limits) from taking a slow stream for a dead one.
    const keepAlive = keepAliveMs
      ? setInterval(() => {
          if (!response.destroyed) response.write(': keep-alive\n\n');
        }, keepAliveMs)
      : undefined;
    response.on('close', () => clearInterval(keepAlive));
    if (earlyDrop) {
      dropped = true;
      return dropAfterFirstCall(response, stored, reading.signal);
    }
    let written = 0;
    for await (const event of stored.log.after(
      options.after,
      AbortSignal.any([reading.signal, this.#closing.signal]),
    )) {
      if (response.destroyed) return;
      written += 1;
      if (dropAfterEvents !== undefined && written >= dropAfterEvents) {
        dropped = true; // a network fault, not the client leaving: generation goes on
        response.write(frame(event), () => response.socket?.destroy());
        return;
      }
      response.write(frame(event));
      if (malformedEvent && written === 2) response.write(malformedFrame());
    }
    clearInterval(keepAlive);
    if (!response.destroyed) response.end();
  }
}

function openEventStream(response: ServerResponse, record: RecordedRequest): void {
  record.status = 200;
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
}

/**
 * The stream faults that come before any response exists (the turn is not served): an `error` event
 * (quota, image too large), or a stream a client cannot use. True when one was sent.
 */
function streamFault(
  response: ServerResponse,
  record: RecordedRequest,
  fault: Fault,
  attempt: number,
): boolean {
  const error = fault.errorBeforeCreated;
  if (error && attempt <= (error.times ?? 1)) {
    openEventStream(response, record);
    const event = {
      type: 'error',
      code: error.code,
      message: error.message,
      param: null,
      sequence_number: 0,
    };
    response.end(`event: error\ndata: ${JSON.stringify(event)}\n\n`);
    return true;
  }
  if (!fault.unusableStream || attempt > 1) return false;
  openEventStream(response, record);
  if (fault.unusableStream === 'garbled') {
    response.end('data: response created\n\ndata: {"type": "response.completed", "response": {\n\n');
  } else if (fault.unusableStream === 'no_id') {
    const lifecycle = (type: string, status: string, sequence: number) =>
      `event: ${type}\ndata: ${JSON.stringify({ type, response: { object: 'response', status, output: [] }, sequence_number: sequence })}\n\n`;
    response.end(
      lifecycle('response.created', 'in_progress', 0) + lifecycle('response.completed', 'completed', 1),
    );
  } else {
    response.end();
  }
  return true;
}

/** The first computer_call, done, before response.created and without a sequence number; then a reset. */
async function dropAfterFirstCall(
  response: ServerResponse,
  stored: StoredResponse,
  signal: AbortSignal,
): Promise<void> {
  for await (const event of stored.log.after(-1, signal)) {
    const data = JSON.parse(event.json) as { item?: { type?: string } };
    if (event.type !== 'response.output_item.done' || data.item?.type !== 'computer_call') continue;
    const unnumbered: Record<string, unknown> = { ...data };
    delete unnumbered.sequence_number;
    response.write(`event: ${event.type}\ndata: ${JSON.stringify(unnumbered)}\n\n`, () =>
      response.socket?.destroy(),
    );
    return;
  }
}

/** A JSON answer cut off: before the response id arrives, or after it. */
function sendCutJson(
  response: ServerResponse,
  record: RecordedRequest,
  body: JsonObject,
  cut: 'before_id' | 'after_id',
): void {
  const text = JSON.stringify(body);
  record.status = 200;
  response.writeHead(200, {
    'content-type': 'application/json',
    'content-length': String(text.length + 100),
  });
  const at = cut === 'before_id' ? 3 : text.indexOf('"', text.indexOf('"id"') + 6) + 40;
  response.write(text.slice(0, at), () => response.socket?.destroy());
}

/** Lightcone echoes the computer tool's display as `viewport`. */
function viewport(body: JsonObject): { viewport?: JsonObject } {
  const tool = computerTool(body);
  if (!tool) return {};
  return {
    viewport: { environment: tool.environment, width: tool.display_width, height: tool.display_height },
  };
}
