/**
 * The responses the server knows: their state while they generate and after, and the wire object
 * each dialect returns for them (create, retrieve, cancel, and the response.* events).
 */
import { newId } from './ids.js';
import { EventLog } from './sse.js';
import type { Dialect, JsonObject } from './types.js';

/** OpenAI's statuses (openapi `Response.status`); Lightcone lists the same ones minus `queued`. */
export type ResponseStatus = 'queued' | 'in_progress' | 'completed' | 'failed' | 'incomplete' | 'cancelled';

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  reasoning_tokens: number;
}

export interface ResponseSetup {
  model: string;
  /** OpenAI `background: true`: cancellable, and it keeps generating when its stream goes away. */
  background: boolean;
  /** Lightcone: the session's computer, carried along a chain. */
  computerId: string;
  /** Lightcone: from the request's computer tool. */
  viewport?: JsonObject;
}

export class StoredResponse {
  readonly id = newId('resp_');
  readonly createdAt = new Date();
  status: ResponseStatus;
  /** Items as generated; the one being streamed stays `in_progress` if the response is stopped. */
  readonly output: JsonObject[] = [];
  usage: Usage | undefined;
  error: JsonObject | undefined;
  incompleteDetails: { reason: string } | undefined;
  completedAt: Date | undefined;
  readonly log = new EventLog();
  /** Resolves when the response reaches a final status (it never rejects). */
  readonly done: Promise<void>;
  readonly #abort = new AbortController();
  #settle: () => void = () => undefined;

  constructor(
    readonly dialect: Dialect,
    readonly body: JsonObject,
    readonly setup: ResponseSetup,
  ) {
    this.status = setup.background ? 'queued' : 'in_progress';
    this.done = new Promise((resolve) => (this.#settle = resolve));
  }

  /** Aborts when generation must stop (cancel, client gone, delete, server closing). */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get active(): boolean {
    return this.status === 'queued' || this.status === 'in_progress';
  }

  /** Stops generation now: status `cancelled`, the log ends without a terminal event (the openapi
   * ResponseStreamEvent union has none for cancellation). False when it had already ended. */
  stop(): boolean {
    if (!this.active) return false;
    this.status = 'cancelled';
    this.#abort.abort(new Error(`response ${this.id} stopped`));
    this.log.end();
    this.#settle();
    return true;
  }

  /** Ends generation with a final status and its terminal event carrying the final response. */
  finish(status: 'completed' | 'failed' | 'incomplete', terminalEvent: string): void {
    if (!this.active) return;
    this.status = status;
    if (status === 'completed') this.completedAt = new Date();
    this.log.push(terminalEvent, { response: this.snapshot() });
    this.log.end();
    this.#settle();
  }

  /** The response as the API returns it, deep-copied. */
  snapshot(): JsonObject {
    return structuredClone(this.dialect === 'openai' ? this.#openai() : this.#lightcone());
  }

  #openai(): JsonObject {
    const body = this.body;
    const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);
    return {
      id: this.id,
      object: 'response',
      created_at: seconds(this.createdAt),
      status: this.status,
      background: this.setup.background,
      completed_at: this.completedAt ? seconds(this.completedAt) : null,
      error: this.error ?? null,
      incomplete_details: this.incompleteDetails ?? null,
      instructions: body.instructions ?? null,
      max_output_tokens: body.max_output_tokens ?? null,
      model: this.setup.model,
      output: this.output,
      parallel_tool_calls: body.parallel_tool_calls ?? true,
      previous_response_id: body.previous_response_id ?? null,
      reasoning: body.reasoning ?? { effort: null, summary: null },
      store: body.store ?? true,
      temperature: body.temperature ?? 1,
      text: body.text ?? { format: { type: 'text' } },
      tool_choice: body.tool_choice ?? 'auto',
      tools: body.tools ?? [],
      top_p: body.top_p ?? 1,
      truncation: body.truncation ?? 'disabled',
      // openapi `Response`: `usage` is an object, not nullable (left out until known); `user` is a
      // deprecated string, left out.
      ...(this.usage
        ? {
            usage: {
              input_tokens: this.usage.input_tokens,
              input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
              output_tokens: this.usage.output_tokens,
              output_tokens_details: { reasoning_tokens: this.usage.reasoning_tokens },
              total_tokens: this.usage.total_tokens,
            },
          }
        : {}),
      metadata: body.metadata ?? {},
    };
  }

  /** Lightcone's Go backend leaves out what it does not have (no nulls). */
  #lightcone(): JsonObject {
    const body = this.body;
    const optional = (key: string): JsonObject => (body[key] === undefined ? {} : { [key]: body[key] });
    return {
      id: this.id,
      object: 'response',
      created_at: this.createdAt.toISOString(),
      model: this.setup.model,
      status: this.status,
      output: this.output,
      computer_id: this.setup.computerId,
      ...(this.setup.viewport ? { viewport: this.setup.viewport } : {}),
      ...optional('previous_response_id'),
      ...optional('instructions'),
      ...optional('max_output_tokens'),
      ...optional('temperature'),
      ...optional('top_p'),
      ...(this.usage
        ? {
            usage: {
              input_tokens: this.usage.input_tokens,
              output_tokens: this.usage.output_tokens,
              total_tokens: this.usage.total_tokens,
            },
          }
        : {}),
      ...(this.error ? { error: this.error } : {}),
      ...(this.incompleteDetails ? { incomplete_details: this.incompleteDetails } : {}),
    };
  }
}

export class ResponseStore {
  readonly #responses = new Map<string, StoredResponse>();
  readonly #created: string[] = [];

  add(response: StoredResponse): void {
    this.#responses.set(response.id, response);
    this.#created.push(response.id);
  }

  get(id: string): StoredResponse | undefined {
    return this.#responses.get(id);
  }

  delete(id: string): boolean {
    return this.#responses.delete(id);
  }

  /** The most recently created response id (deleted or not). */
  get lastId(): string | undefined {
    return this.#created.at(-1);
  }

  createdIds(): string[] {
    return [...this.#created];
  }

  all(): StoredResponse[] {
    return [...this.#responses.values()];
  }
}
