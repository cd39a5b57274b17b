import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEvent, readServerSentEvents } from '../../src/client/sse.js';
import { ProtocolError } from '../../src/protocol/index.js';

const knownEvent = fc.record({
  type: fc.constantFrom(
    'response.created',
    'response.output_item.done',
    'response.output_text.delta',
    'response.completed',
    'error',
    'response.some_future_event',
  ),
  sequence_number: fc.oneof(fc.nat(), fc.string()),
  output_index: fc.oneof(fc.nat(), fc.constant(undefined)),
  item: fc.oneof(
    fc.constant({ type: 'computer_call', call_id: 'call_1', action: { type: 'click', x: 1, y: 2 } }),
    fc.jsonValue(),
  ),
  response: fc.oneof(fc.constant({ id: 'resp_1', status: 'completed', output: [] }), fc.jsonValue()),
  delta: fc.string(),
});

/** One SSE frame: well-formed, malformed JSON, junk lines, or bare fields, with any line ending. */
const frame = fc.oneof(
  knownEvent.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`),
  fc.jsonValue().map((value) => `data: ${JSON.stringify(value)}\n\n`),
  fc.string().map((text) => `data: ${text}\n\n`),
  fc.string().map((text) => `${text}\n`),
  fc.constantFrom(': comment\n', 'retry: 10\n', 'id: 7\n', '\r\n', '\r', 'data: {"type":'),
);

/** Bytes of the frames, maybe cut anywhere, maybe with invalid UTF-8, split into random chunks. */
const byteStream = fc
  .tuple(
    fc.array(frame, { maxLength: 20 }),
    fc.nat(),
    fc.boolean(),
    fc.uint8Array({ maxLength: 16 }),
    fc.array(fc.nat({ max: 64 }), { maxLength: 30 }),
  )
  .map(([frames, cut, truncate, garbage, splits]) => {
    let bytes = Buffer.concat([Buffer.from(frames.join('')), Buffer.from(garbage)]);
    if (truncate && bytes.length > 0) bytes = bytes.subarray(0, cut % bytes.length);
    const chunks: Uint8Array[] = [];
    let at = 0;
    for (const size of splits) {
      if (at >= bytes.length) break;
      chunks.push(bytes.subarray(at, at + size + 1));
      at += size + 1;
    }
    if (at < bytes.length) chunks.push(bytes.subarray(at));
    return chunks;
  });

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

describe('event stream parsing under random input', () => {
  it('ends for every byte stream and throws nothing but ProtocolError', async () => {
    await fc.assert(
      fc.asyncProperty(byteStream, async (chunks) => {
        let events = 0;
        for await (const message of readServerSentEvents(streamOf(chunks), { idleTimeoutMs: 1000 })) {
          try {
            decodeEvent(message.data);
            events++;
          } catch (error) {
            expect(error).toBeInstanceOf(ProtocolError);
          }
        }
        expect(events).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 400 },
    );
  });

  it('drops a last event cut off before its blank line, as the SSE spec says', async () => {
    const body = 'event: response.created\ndata: {"type":"response.created"}\n\ndata: {"type":"response.comp';
    const messages: string[] = [];
    for await (const message of readServerSentEvents(streamOf([Buffer.from(body)]), {
      idleTimeoutMs: 1000,
    })) {
      messages.push(message.data);
    }
    expect(messages).toEqual(['{"type":"response.created"}']);
  });
});
