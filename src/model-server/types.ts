/**
 * Public types of the local model server: the script it plays, the faults it can inject, and what it
 * records. Written from the public API references (shared/reference), independently of src/protocol.
 */

export type Dialect = 'lightcone' | 'openai';

export type JsonObject = Record<string, unknown>;

/** A scripted HTTP failure for create calls, e.g. 429 with Retry-After, or 500 twice then success. */
export interface HttpErrorFault {
  status: number;
  /** Sent as JSON; default: an `{error: {...}}` body fitting the status. */
  body?: unknown;
  /** How many create attempts for this turn fail before it is served (default 1). */
  times?: number;
  /** `Retry-After` header, in seconds (written as given, so 0.05 is possible). */
  retryAfter?: number;
  /** `retry-after-ms` header (openai-node honours it). */
  retryAfterMs?: number;
  /** More headers, e.g. `x-should-retry`. */
  headers?: Record<string, string>;
}

export interface Fault {
  /** Wait this long before the first byte of the create answer (before the response exists). */
  delayMs?: number;
  /** Pause between stream events (generation pace; also applies without streaming). */
  eventDelayMs?: number;
  /** Extra pause before the terminal event: the actions are out well before completion. */
  completedDelayMs?: number;
  /** Generation stops after response.in_progress (true) or after N output items are done, and never
   * ends until the response is cancelled, deleted, or its non-background client goes away. */
  hang?: boolean | { afterItems: number };
  /** Destroy the create stream's socket after N (>= 1) events; generation goes on (resume with starting_after). */
  dropAfterEvents?: number;
  /** Inject one frame whose data is truncated JSON after the second event (it has no sequence number). */
  malformedEvent?: boolean;
  httpError?: HttpErrorFault;
  /** Destroy the socket of the first N create attempts of this turn without answering. */
  connectionReset?: number;
  /** An `error` event after the first output item, then response.failed. */
  errorEvent?: boolean;
  /** A `response.some_future_event` event (with a sequence number) after response.in_progress. */
  unknownEvent?: boolean;
  /** Answer `application/json` with the whole response even when `stream: true` was asked. */
  forceJson?: boolean;
  /** Write an SSE comment (`: keep-alive`) every this many ms while an open stream waits for events. */
  keepAliveMs?: number;
  /**
   * Streams only: an `error` event (quota, bad image...) and the end, before any response exists, for
   * the first `times` attempts (default 1); the turn is then served as usual.
   */
  errorBeforeCreated?: { code: string; message: string; times?: number };
  /**
   * Streams only, first attempt: a stream deskhand cannot use; the turn is served to the next create.
   * `no_id`: lifecycle events whose response has no id, no items; `garbled`: frames that are not JSON;
   * `empty`: no event at all.
   */
  unusableStream?: 'no_id' | 'garbled' | 'empty';
  /**
   * Streams only: the first computer_call's output_item.done (no sequence number) before anything else,
   * then the connection is reset. The response exists and goes on being generated.
   */
  earlyDrop?: boolean;
  /** JSON answers (non-streaming or forceJson): the body is cut before (or after) the response id. */
  resetMidBody?: 'before_id' | 'after_id';
}

export interface SafetyCheck {
  id: string;
  code: string;
  message: string;
}

export interface UsageOverride {
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
}

/** What the model answers to the next create call. Output items come in this order: reasoning,
 * message, computer calls. */
export interface Turn {
  reasoning?: string;
  message?: string;
  /** Action objects in the dialect's wire shape; each becomes one computer_call... */
  actions?: JsonObject[];
  /** ...or, with `batch`, one computer_call carrying them all as `actions`. The OpenAI GA `computer`
   * tool always gets `actions` (a list), the others `action` unless batched. */
  batch?: boolean;
  /** Put on the first computer_call as `pending_safety_checks`. */
  safetyChecks?: SafetyCheck[];
  /** Function calls after the computer calls, e.g. `{name: 'done', arguments: {message: '...'}}`. */
  functionCalls?: { name: string; arguments: JsonObject }[];
  /** The status computer_call items end with (default completed; some servers leave in_progress). */
  callStatus?: string;
  status?: 'completed' | 'failed' | 'incomplete';
  /** The response's `error` when status is failed (default server_error); any object (Lightcone's is open). */
  error?: JsonObject;
  usage?: UsageOverride;
  fault?: Fault;
}

export interface ScriptContext {
  dialect: Dialect;
  /** Which create call this answers (0-based, counting served creates only). */
  turnIndex: number;
  /** 1 for the first attempt at this turn, more after scripted HTTP failures or resets. */
  attempt: number;
  body: JsonObject;
  /** The previous response (wire shape), when `previous_response_id` names a known one. */
  previous?: JsonObject;
}

export type TurnFunction = (context: ScriptContext) => Turn | Promise<Turn>;

/** A list played in order (entries may be functions), or one function answering every create. */
export type Script = readonly (Turn | TurnFunction)[] | TurnFunction;

export interface ModelServerOptions {
  dialect: Dialect;
  script: Script;
  /** When set, requests without `Authorization: Bearer <apiKey>` get 401. */
  apiKey?: string;
  /** Reject creates whose chaining is wrong (see RecordedRequest.chainError) with 400. */
  strictChaining?: boolean;
  /** Defaults for every turn; a turn's own `fault` overrides them field by field. */
  faults?: Fault;
  /** Answer cancel calls only after this long (default 0). */
  cancelDelayMs?: number;
  /** Lightcone: status of a cancel of a response that is not in progress (default 400). */
  cancelRejectStatus?: 400 | 409;
  /** A client closing the create connection of a non-background response stops generation and sets
   * status `cancelled` (default true). */
  clientCloseCancels?: boolean;
  /** Default 0: a free port. Always 127.0.0.1. */
  port?: number;
}

export interface ImageInfo {
  /** Where in the request body, e.g. `input[0].output`. */
  where: string;
  mime?: string;
  width?: number;
  height?: number;
  bytes?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case names; `authorization` keeps its scheme and the first 4 chars of the credential. */
  headers: Record<string, string>;
  /** Parsed JSON body, undefined without one (the raw text when it is not JSON). */
  body: unknown;
  /** Date.now() on arrival. */
  time: number;
  /** Whether the request carried the right key (always true without `apiKey`). */
  authorized: boolean;
  /** HTTP status answered (0 when the socket was reset on purpose); set when the answer starts. */
  status?: number;
  /** The response created (create) or addressed (retrieve, cancel, delete). */
  responseId?: string;
  /** Create only: which script turn answered. */
  turnIndex?: number;
  /** Create only: what is wrong with the chaining (previous_response_id, call_ids, safety checks). */
  chainError?: string;
  /** Create only: other departures from the dialect's wire format (tool, screenshot shape, sizes). */
  warnings: string[];
  /** Create only: every input image, with its decoded size when it is a data URL. */
  images: ImageInfo[];
}

export interface ModelServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:PORT (endpoints are under /v1). */
  readonly url: string;
  readonly dialect: Dialect;
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Response ids named by cancel calls, in order (unknown ids included). */
  cancelCalls(): string[];
  /** Response ids named by delete calls, in order. */
  deleteCalls(): string[];
  /** Ids of the responses created, in order. */
  responseIds(): string[];
  /** The stored response as retrieve would return it (undefined when unknown or deleted). */
  response(id: string): JsonObject | undefined;
  /** Resolves with the first recorded request (past or future) that matches. */
  waitForRequest(match: (request: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  /** Stops every generation, drops every connection, and closes the port. */
  close(): Promise<void>;
}
