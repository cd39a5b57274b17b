/**
 * The event log of one response and its server-sent-event framing. Generation appends to the log;
 * every stream (the create call, later `?stream=true&starting_after=N` retrieves) reads from it, so a
 * resumed stream sees exactly the events, sequence numbers and bytes the first one did.
 */

export interface StreamEvent {
  sequenceNumber: number;
  type: string;
  /** The `data:` line, serialized once when the event happened. */
  json: string;
}

export class EventLog {
  readonly events: StreamEvent[] = [];
  #ended = false;
  readonly #wakers = new Set<() => void>();

  get ended(): boolean {
    return this.#ended;
  }

  /** Appends `{type, ...fields, sequence_number}`; sequence numbers start at 0 and never skip. */
  push(type: string, fields: Record<string, unknown> = {}): StreamEvent {
    if (this.#ended) throw new Error(`event ${type} after the end of the stream`);
    const sequenceNumber = this.events.length;
    const event = {
      sequenceNumber,
      type,
      json: JSON.stringify({ type, ...fields, sequence_number: sequenceNumber }),
    };
    this.events.push(event);
    this.#wake();
    return event;
  }

  /** No more events: readers finish once they have the last one. */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /** The events with a sequence number above `sequenceNumber`, live until the log ends or `signal` aborts. */
  async *after(sequenceNumber: number, signal: AbortSignal): AsyncGenerator<StreamEvent> {
    let next = Math.max(0, sequenceNumber + 1);
    for (;;) {
      while (next < this.events.length && !signal.aborted) yield this.events[next++]!;
      if (this.#ended || signal.aborted) return;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.#wakers.delete(wake);
          signal.removeEventListener('abort', wake);
          resolve();
        };
        this.#wakers.add(wake);
        signal.addEventListener('abort', wake);
      });
    }
  }

  #wake(): void {
    for (const wake of [...this.#wakers]) wake();
  }
}

export function frame(event: StreamEvent): string {
  return `event: ${event.type}\ndata: ${event.json}\n\n`;
}

/** A frame whose data stops mid-JSON, as a proxy cutting a line would leave it. */
export function malformedFrame(): string {
  return 'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","item_id":"msg_\n\n';
}
