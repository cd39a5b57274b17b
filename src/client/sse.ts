import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { parseStreamEvent, ProtocolError, type StreamEvent } from '../protocol/index.js';
import { AbortError, NetworkError, TimeoutError } from './errors.js';

/** One event's data as a typed event; unknown types come back as {type: 'unknown'}. */
export function decodeEvent(data: string): StreamEvent {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw new ProtocolError('an event of the stream is not JSON', data);
  }
  return parseStreamEvent(json);
}

/**
 * Server-sent events from a response body, as they arrive. Ends when the body ends (a last event
 * without its blank line is dropped, as the SSE spec says: it may be cut off). Throws AbortError when
 * the signal fires, TimeoutError when no byte arrives for `idleTimeoutMs`, NetworkError when the
 * connection breaks.
 */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
  options: { signal?: AbortSignal; idleTimeoutMs: number },
): AsyncGenerator<EventSourceMessage> {
  const queue: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => queue.push(message) });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let idle: NodeJS.Timeout | undefined;
  let timedOut = false;
  const onAbort = () => void reader.cancel().catch(() => {});
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      idle = setTimeout(() => {
        timedOut = true;
        void reader.cancel().catch(() => {});
      }, options.idleTimeoutMs);
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (options.signal?.aborted) throw new AbortError('the stream was closed by the caller');
        throw new NetworkError(`the event stream broke: ${(error as Error).message}`, undefined, undefined, {
          cause: error,
        });
      } finally {
        clearTimeout(idle);
      }
      if (options.signal?.aborted) throw new AbortError('the stream was closed by the caller');
      if (timedOut)
        throw new TimeoutError(
          `no data on the event stream for ${options.idleTimeoutMs / 1000} s (--idle-timeout)`,
        );
      if (chunk.done) return;
      parser.feed(decoder.decode(chunk.value, { stream: true }));
      while (queue.length > 0) {
        if (options.signal?.aborted) throw new AbortError('the stream was closed by the caller');
        yield queue.shift() as EventSourceMessage;
      }
    }
  } finally {
    clearTimeout(idle);
    options.signal?.removeEventListener('abort', onAbort);
    reader.releaseLock();
    // Closing early (consumer stopped, error) must not leave the connection open.
    await body.cancel().catch(() => {});
  }
}
