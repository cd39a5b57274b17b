import {
  isTerminalStatus,
  normalizeStatus,
  ProtocolError,
  type ResponseObject,
  type StreamEvent,
} from '../protocol/index.js';
import {
  AbortError,
  ApiError,
  describeServerError,
  NetworkError,
  StreamErrorEvent,
  TimeoutError,
  UnusableStreamError,
} from './errors.js';
import type { CancelResult, ResponsesClient } from './responses-client.js';
import { decodeEvent, readServerSentEvents } from './sse.js';

/**
 * The events of one streamed response, as they arrive. If the connection drops after the response id is
 * known, it resumes with `GET /v1/responses/{id}?stream=true&starting_after=N`, or, where the server
 * cannot, waits for the finished response with retrieve and replays what was missed; it never creates
 * the response again once it has an id. A stream that ends cleanly without a terminal event (the
 * response was stopped) is settled with retrieve. A server that answers plain JSON is replayed as
 * events too. A malformed frame is skipped and counted (`malformedEvents`), not fatal.
 * `close()` drops the connection at once; `cancel()` also asks the server to stop the response.
 */
export class ResponseStream implements AsyncIterable<StreamEvent> {
  /** Known from the first event on. */
  responseId: string | undefined;
  /** The final response, once a terminal event arrived. */
  response: ResponseObject | undefined;
  lastSequence = -1;
  /** Frames that were not valid events, skipped (see parse). */
  malformedEvents = 0;
  /** output_item.done events delivered to the consumer, who may have acted on them. */
  delivered = 0;
  private readonly controller = new AbortController();
  private finished = false;
  private started = false;
  /** output_index values whose output_item.done was delivered (to replay only the rest). */
  private readonly doneItems = new Set<number>();
  /** Unhooks this stream from the caller's signal, which may live much longer (a whole run). */
  private detach = () => {};

  constructor(
    private readonly client: ResponsesClient,
    private readonly body: Record<string, unknown>,
    signal: AbortSignal | undefined,
  ) {
    if (signal?.aborted) this.controller.abort();
    else if (signal) {
      const onAbort = () => this.controller.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      // Left attached, the listener would keep every finished stream (and its request body, a
      // screenshot) alive for as long as the caller's signal.
      this.detach = () => signal.removeEventListener('abort', onAbort);
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Whether the response may still be running on the server. */
  get mayBeRunning(): boolean {
    return this.responseId !== undefined && !this.finished;
  }

  /** Closes the connection at once. */
  close(): void {
    this.controller.abort();
  }

  /** Closes the connection and, if the response may still run, asks the server to cancel it. */
  async cancel(): Promise<CancelResult | undefined> {
    this.close();
    if (!this.mayBeRunning || !this.responseId) return undefined;
    return this.client.cancel(this.responseId);
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    if (this.started) throw new Error('a ResponseStream can be iterated once');
    this.started = true;
    return this.events();
  }

  private async *events(): AsyncGenerator<StreamEvent> {
    try {
      yield* this.receive();
    } finally {
      this.detach();
    }
  }

  private async *receive(): AsyncGenerator<StreamEvent> {
    const signal = this.controller.signal;
    let response = await this.create();
    let resumes = 0;
    let creates = 1;
    for (;;) {
      try {
        if (!isEventStream(response)) {
          yield* this.replay(await this.client.readResponse(response, 'create response'));
          return;
        }
        for await (const message of readServerSentEvents(response.body as ReadableStream<Uint8Array>, {
          signal,
          idleTimeoutMs: this.client.options.idleTimeoutMs,
        })) {
          if (signal.aborted) throw new AbortError('the stream was closed');
          const event = this.parse(message.data);
          if (!event) continue;
          if (event.type === 'error') throw this.errorEvent(event);
          yield event;
          if (event.type === 'response.output_item.done') this.delivered++;
          if (this.finished) return;
        }
        // A clean end without a terminal event: the response was stopped (cancelled elsewhere) or the
        // server cut us off. Its stored state says which.
        if (!this.responseId) throw this.noResponseId('ended');
        const current = await this.client.retrieve(this.responseId, { signal });
        if (isTerminalStatus(normalizeStatus(current.status))) {
          yield* this.replay(current);
          return;
        }
        throw new NetworkError('the event stream ended before the response finished');
      } catch (error) {
        if (signal.aborted) throw new AbortError('the stream was closed');
        if (!(error instanceof ApiError) || error instanceof UnusableStreamError) throw error;
        const dropped = error instanceof NetworkError || error instanceof TimeoutError;
        if (!this.responseId && (dropped || error instanceof StreamErrorEvent)) {
          // No id to resume by. A new create is safe only while nothing of this one was acted on, and
          // only for a break or an error the server calls transient.
          if (this.delivered > 0) throw this.noResponseId('broke');
          if (error instanceof TimeoutError && this.lastSequence < 0 && this.malformedEvents === 0)
            throw new UnusableStreamError(`the event stream stayed silent: ${error.message}`);
          if ((dropped || error.retryable) && creates <= this.client.retryPolicy.maxRetries) {
            this.client.log('warn', `create response: ${error.message}; asking again (retry ${creates})`, {
              retry: creates,
            });
            creates++;
            this.lastSequence = -1;
            response = await this.create();
            continue;
          }
          throw error;
        }
        if (!dropped || !this.responseId || resumes >= this.client.options.maxResumes) throw error;
        resumes++;
        this.client.log(
          'warn',
          `stream of ${this.responseId} dropped; resuming after event ${this.lastSequence}`,
          {
            error: error.message,
          },
        );
        response = await this.resume(this.responseId);
      }
    }
  }

  private create(): Promise<Response> {
    return this.client.openStream(
      'POST',
      '/v1/responses',
      this.body,
      { signal: this.controller.signal, accept: 'text/event-stream', creates: true },
      'create response',
    );
  }

  /** The server's own error, with its code and message, from an `error` event. */
  private errorEvent(event: StreamEvent): StreamErrorEvent {
    const raw = event as { code?: unknown; message?: unknown; error?: { code?: unknown } | null };
    const code = raw.code ?? raw.error?.code;
    const said = describeServerError(event) ?? 'no message';
    return new StreamErrorEvent(
      this.client.redact(`the server reported an error in the event stream: ${said}`),
      code === undefined || code === null ? undefined : String(code),
      event,
    );
  }

  /**
   * A stream without a response id cannot be resumed or chained. Before anything of it was acted on,
   * it is unusable (the caller may ask again without streaming); after, asking again could act twice.
   */
  private noResponseId(how: 'ended' | 'broke'): ApiError {
    const seen = `${this.lastSequence + 1} events, ${this.malformedEvents} unreadable`;
    if (this.delivered === 0)
      return new UnusableStreamError(`the event stream ${how} without a response id (${seen})`);
    return new NetworkError(
      `the event stream ${how} after ${this.delivered} output items but before the response id was known: ` +
        'it cannot be resumed, and asking again could perform the same actions twice',
    );
  }

  /** Reopens the stream after the last event seen; a server without resume gives plain JSON instead. */
  private async resume(id: string): Promise<Response> {
    const path = `/v1/responses/${encodeURIComponent(id)}?stream=true&starting_after=${this.lastSequence}`;
    try {
      return await this.client.openStream(
        'GET',
        path,
        undefined,
        { signal: this.signal, accept: 'text/event-stream' },
        `resume ${id}`,
      );
    } catch (error) {
      if (!(error instanceof ApiError) || error.retryable || error instanceof AbortError) throw error;
      // No resume here (400/404 on the stream form): wait for the response to finish, then replay it.
      const finished = await this.client.waitForFinish(id, this.signal);
      return new Response(JSON.stringify(finished), { headers: { 'content-type': 'application/json' } });
    }
  }

  /** Validates one event; skips repeats after a resume and unknown types; notes ids and the end. */
  private parse(data: string): StreamEvent | undefined {
    let event: StreamEvent;
    try {
      event = decodeEvent(data);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      // One garbled frame does not end the run: the terminal event carries every item again.
      this.malformedEvents++;
      this.client.log('warn', `skipped a malformed event: ${error.message}`, { data: error.data });
      return undefined;
    }
    if (event.type === 'unknown') {
      this.client.log('debug', 'ignored an event of unknown type', {
        type: (event as { raw?: { type?: unknown } }).raw?.type,
      });
      return undefined;
    }
    const sequence = (event as { sequence_number?: number }).sequence_number;
    if (typeof sequence === 'number') {
      if (sequence <= this.lastSequence) return undefined;
      this.lastSequence = sequence;
    }
    this.note(event);
    return event;
  }

  private note(event: StreamEvent): void {
    const carried = (event as { response?: ResponseObject }).response;
    if (carried?.id) this.responseId ??= carried.id;
    if (event.type === 'response.output_item.done')
      this.doneItems.add((event as { output_index: number }).output_index);
    if (event.type === 'error') return;
    if (carried && isTerminalEvent(event.type)) {
      this.response = carried;
      this.finished = true;
    }
  }

  /** A whole response as the events a stream would have sent for what we have not delivered yet. */
  private *replay(response: ResponseObject): Generator<StreamEvent> {
    this.responseId ??= response.id;
    const output = (response.output ?? []) as unknown[];
    let sequence = this.lastSequence;
    // Items a stopped response left half made (status in_progress) are not results; in a completed
    // response every item is (servers do leave `in_progress` on finished items).
    const whole = normalizeStatus(response.status) === 'completed';
    for (const [index, item] of output.entries()) {
      const status = (item as { status?: unknown }).status;
      if (this.doneItems.has(index) || (!whole && status !== undefined && status !== 'completed')) continue;
      const event = this.parse(
        JSON.stringify({
          type: 'response.output_item.done',
          output_index: index,
          item,
          sequence_number: ++sequence,
        }),
      );
      if (event) yield event;
    }
    const status = normalizeStatus(response.status);
    const type =
      status === 'completed'
        ? 'response.completed'
        : status === 'cancelled'
          ? 'response.cancelled'
          : status === 'incomplete'
            ? 'response.incomplete'
            : 'response.failed';
    const end = this.parse(JSON.stringify({ type, response, sequence_number: sequence + 1 }));
    if (end) yield end;
    this.response = response;
    this.finished = true;
  }
}

function isEventStream(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').includes('text/event-stream');
}

function isTerminalEvent(type: string): boolean {
  return [
    'response.completed',
    'response.failed',
    'response.incomplete',
    'response.cancelled',
    'response.canceled',
  ].includes(type);
}
