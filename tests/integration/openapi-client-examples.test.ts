import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResponsesClient, StreamErrorEvent } from '../../src/client/index.js';
import {
  parseResponse,
  parseStreamEvent,
  STREAM_EVENT_TYPES,
  type StreamEvent,
} from '../../src/protocol/index.js';
import { openApiSpec } from '../support/openapi.js';

/*
 * deskhand's client and parsers fed the response and event shapes of the spec's own examples
 * (`x-oaiMeta` of /responses create, retrieve, cancel, delete; `Response.example`; the example of every
 * ResponseStreamEvent member) and of the recorded fixtures, served over real HTTP by a tiny server.
 */

type Json = Record<string, unknown>;
type Meta = { title?: string; response: string };

const spec = openApiSpec();
const paths = spec.document.paths as Record<
  string,
  Record<string, { 'x-oaiMeta': { examples: Meta | Meta[] } }>
>;
const examplesOf = (path: string, method: string): Meta[] =>
  [paths[path]![method]!['x-oaiMeta'].examples].flat();

const createExamples = examplesOf('/responses', 'post');
const streaming = createExamples.find((example) => example.title === 'Streaming')!;
const [retrieveExample] = examplesOf('/responses/{response_id}', 'get');
const [cancelExample] = examplesOf('/responses/{response_id}/cancel', 'post');
const [deleteExample] = examplesOf('/responses/{response_id}', 'delete');

/** Every JSON response body the spec and the fixtures show, by name. */
const fixtures = {
  openai: JSON.parse(readFileSync(new URL('../fixtures/openai-examples.json', import.meta.url), 'utf8')) as {
    responses: { name: string; body: Json }[];
    stream: { text: string };
  },
  reference: JSON.parse(
    readFileSync(new URL('../fixtures/reference-examples.json', import.meta.url), 'utf8'),
  ) as Record<string, Json>,
};
const responseBodies: [string, Json][] = [
  ...createExamples
    .filter((example) => example !== streaming)
    .map((example): [string, Json] => [`create: ${example.title}`, JSON.parse(example.response) as Json]),
  ['retrieve', JSON.parse(retrieveExample!.response) as Json],
  ['cancel', JSON.parse(cancelExample!.response) as Json],
  ['Response.example', spec.schema('Response').example as Json],
  ...fixtures.openai.responses.map(({ name, body }): [string, Json] => [`fixture ${name}`, body]),
  ['fixture Lightcone 000', fixtures.reference.lightconeResponse000!],
  ['fixture OpenAI cancel 001', fixtures.reference.openaiCancel001!],
];

/** The example event of each ResponseStreamEvent member, in the spec's order; names of examples that are not JSON. */
const eventExamples: [string, Json][] = [];
const unparsableEvents: string[] = [];
for (const { $ref } of spec.schema('ResponseStreamEvent').anyOf as { $ref: string }[]) {
  const name = $ref.split('/').pop()!;
  const example = (spec.schema(name)['x-oaiMeta'] as { example?: string } | undefined)?.example;
  if (example === undefined) continue;
  try {
    eventExamples.push([name, JSON.parse(example) as Json]);
  } catch {
    unparsableEvents.push(name);
  }
}
const TERMINAL = ['response.completed', 'response.failed', 'response.incomplete'];
const isKnown = (type: unknown): boolean => (STREAM_EVENT_TYPES as readonly unknown[]).includes(type);

/** What the tiny server answers next, and what it was asked. */
let answer: { type: string; body: string } = { type: 'application/json', body: '{}' };
const asked: string[] = [];
let http: Server;
let client: ResponsesClient;

beforeAll(async () => {
  http = createServer((request: IncomingMessage, response) => {
    asked.push(`${request.method} ${request.url}`);
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': answer.type });
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  client = new ResponsesClient({ baseUrl: `http://127.0.0.1:${port}/v1`, retry: { maxRetries: 0 } });
});

afterAll(async () => {
  await new Promise((resolve) => http.close(resolve));
});

function serveJson(body: unknown): void {
  answer = { type: 'application/json', body: typeof body === 'string' ? body : JSON.stringify(body) };
}

function serveEvents(text: string): void {
  answer = { type: 'text/event-stream; charset=utf-8', body: text };
}

async function collect(body: Json = { model: 'gpt-5.4', input: 'hi' }): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of client.stream(body)) events.push(event);
  return events;
}

describe('the spec examples exist', () => {
  it('has the examples this file relies on', () => {
    expect(createExamples.length).toBeGreaterThanOrEqual(8);
    expect(streaming.response).toContain('event: response.completed');
    expect(eventExamples.length).toBeGreaterThan(50);
    // Its example misses a comma after `"delta": "{ \"arg\":"`: a typo in the spec, not a shape.
    expect(unparsableEvents).toEqual(['ResponseFunctionCallArgumentsDeltaEvent']);
  });
});

describe('parsers', () => {
  it.each(responseBodies)('parseResponse accepts the %s example', (_, body) => {
    const response = parseResponse(body);
    expect(response.id).toBe(body.id);
    expect(response.output).toHaveLength((body.output as unknown[]).length);
  });

  it.each(eventExamples)('parseStreamEvent accepts the %s example', (_, body) => {
    const event = parseStreamEvent(body);
    expect(event.type).toBe(isKnown(body.type) ? body.type : 'unknown');
  });
});

describe('the client over HTTP', () => {
  it.each(responseBodies)('create() returns the %s example', async (_, body) => {
    serveJson(body);
    const response = await client.create({ model: 'gpt-5.4', input: 'hi' });
    expect(response.id).toBe(body.id);
    expect(response.output).toHaveLength((body.output as unknown[]).length);
    expect(asked.at(-1)).toBe('POST /v1/responses');
  });

  it('retrieve() returns the retrieve example', async () => {
    const body = JSON.parse(retrieveExample!.response) as Json;
    serveJson(body);
    expect(await client.retrieve(body.id as string)).toMatchObject({ id: body.id, status: body.status });
    expect(asked.at(-1)).toBe(`GET /v1/responses/${body.id as string}`);
  });

  it('cancel() reads the cancel example as cancelled', async () => {
    const body = JSON.parse(cancelExample!.response) as Json;
    serveJson(body);
    const result = await client.cancel(body.id as string);
    expect(result).toMatchObject({ outcome: 'cancelled', response: { id: body.id } });
    expect(asked.at(-1)).toBe(`POST /v1/responses/${body.id as string}/cancel`);
  });

  it('delete() reads the delete example', async () => {
    const body = JSON.parse(deleteExample!.response) as Json;
    serveJson(body);
    expect(await client.delete(body.id as string)).toMatchObject({ id: body.id, deleted: true });
  });

  it.each([
    ['the spec', streaming.response],
    ['the fixture', fixtures.openai.stream.text],
  ])("stream() yields %s's streaming example event by event, in order", async (_, text) => {
    // The YAML block ends the last event with one newline; SSE drops an event without its blank line
    // (it may be cut off), and a real server sends it, so complete the framing.
    serveEvents(`${text.trimEnd()}\n\n`);
    const events = await collect();
    const sent = text
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => (JSON.parse(line.slice('data: '.length)) as Json).type);
    expect(sent.length).toBeGreaterThan(5);
    expect(events.map((event) => event.type)).toEqual(sent);
    expect(events.at(-1)).toMatchObject({ type: 'response.completed', response: { status: 'completed' } });
  });

  it('stream() yields every known example event in order and skips the others', async () => {
    // One stream of every example: created first, the terminal ones last; sequence numbers in stream order
    // (the examples number themselves independently, and the client drops numbers it has already seen).
    const created = eventExamples.filter(([, body]) => body.type === 'response.created');
    // The `error` event ends a stream with the server's message (its own test below).
    const middle = eventExamples.filter(
      ([, body]) =>
        !TERMINAL.includes(body.type as string) && body.type !== 'response.created' && body.type !== 'error',
    );
    const completed = eventExamples.filter(([, body]) => body.type === 'response.completed');
    const sent = [...created, ...middle, ...completed].map(([, body], index): Json => ({
      ...body,
      sequence_number: index,
    }));
    serveEvents(
      sent.map((body) => `event: ${body.type as string}\ndata: ${JSON.stringify(body)}\n\n`).join(''),
    );
    const events = await collect();
    expect(events.map((event) => event.type)).toEqual(sent.map((body) => body.type).filter(isKnown));
    expect(events.map((event) => (event as { sequence_number?: number }).sequence_number)).toEqual(
      sent.filter((body) => isKnown(body.type)).map((body) => body.sequence_number),
    );
  });

  it('stream() ends at the error example with the code and message of the server', async () => {
    const [, error] = eventExamples.find(([, event]) => event.type === 'error')!;
    serveEvents(`event: error\ndata: ${JSON.stringify({ ...error, sequence_number: 0 })}\n\n`);
    const failure = await collect().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(failure).toBeInstanceOf(StreamErrorEvent);
    expect((failure as StreamErrorEvent).message).toContain(String(error.message));
    expect((failure as StreamErrorEvent).code).toBe(String(error.code));
  });

  it.each(eventExamples.filter(([, body]) => TERMINAL.includes(body.type as string)))(
    'stream() ends at the %s example with its response',
    async (_, body) => {
      const [, created] = eventExamples.find(([, event]) => event.type === 'response.created')!;
      const after = { ...body, sequence_number: 1 };
      serveEvents(
        [{ ...created, sequence_number: 0 }, after]
          .map((event) => `data: ${JSON.stringify(event)}\n\n`)
          .join(''),
      );
      const events = await collect();
      expect(events.map((event) => event.type)).toEqual(['response.created', body.type]);
      expect(events.at(-1)).toMatchObject({ response: { id: (body.response as Json).id } });
    },
  );

  it('stream() replays Response.example answered as plain JSON as its items then response.completed', async () => {
    const body = spec.schema('Response').example as Json;
    serveJson(body);
    const events = await collect();
    const output = body.output as Json[];
    expect(events.map((event) => event.type)).toEqual([
      ...output.map(() => 'response.output_item.done'),
      'response.completed',
    ]);
    expect(events.slice(0, -1).map((event) => (event as { item: Json }).item.type)).toEqual(
      output.map((item) => item.type),
    );
  });
});
