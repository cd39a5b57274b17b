import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConflictError,
  NetworkError,
  ServerError,
  StreamErrorEvent,
  TimeoutError,
  UnusableStreamError,
} from '../../src/client/errors.js';
import { type ClientOptions, ResponsesClient } from '../../src/client/responses-client.js';
import { type Fault, type ModelServer, type Turn } from '../../src/model-server/index.js';
import type { StreamEvent } from '../../src/protocol/index.js';
import { modelServers } from '../support/model-servers.js';

/*
 * The client against the local model server with scripted faults: each time limit fires exactly when its
 * definition says and never on a healthy stream; a create is sent again only when the server surely did
 * not take it; retries follow openai-node.
 */

const plain: Server[] = [];

afterEach(async () => {
  await Promise.all(
    plain.splice(0).map((server) => new Promise((resolve) => server.close(() => resolve(undefined)))),
  );
});

const start = modelServers();
const serve = (turn: Turn, faults: Fault = {}): Promise<ModelServer> => start({ script: () => turn, faults });

const client = (server: { url: string }, options: Partial<ClientOptions> = {}) =>
  new ResponsesClient({
    baseUrl: server.url,
    retry: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 50 },
    ...options,
  });

const body = {
  model: 'tzafon.northstar-cua-fast',
  input: [{ role: 'user', content: [{ type: 'input_text', text: 'do it' }] }],
  tools: [{ type: 'computer_use', display_width: 1280, display_height: 800, environment: 'desktop' }],
};

const creates = (server: ModelServer) =>
  server.requests.filter((request) => request.method === 'POST' && request.path === '/v1/responses');

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const seen: StreamEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

/** What an awaited promise threw, and after how long. */
async function failure(work: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    await work;
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
  throw new Error('expected a failure, got a result');
}

const clickTurn: Turn = {
  reasoning: 'I will click the button now.',
  actions: [{ type: 'click', x: 500, y: 300 }],
};

describe('time limits', () => {
  it('a stream slower than --timeout and paced within --idle-timeout completes', async () => {
    // ~20 events 250 ms apart: 5 s in all, 5x the 1 s --timeout, each gap well under the 1 s idle limit.
    const server = await serve(clickTurn, { eventDelayMs: 250 });
    const started = performance.now();
    const events = await collect(client(server, { timeoutMs: 1000, idleTimeoutMs: 1000 }).stream(body));
    expect(performance.now() - started).toBeGreaterThan(3000);
    expect(events.at(-1)?.type).toBe('response.completed');
    expect(creates(server)).toHaveLength(1);
  });

  it('keep-alive comments keep a silent stream open past --idle-timeout', async () => {
    // Nothing but `: keep-alive` for 2.5 s, with a 600 ms idle limit: the comments are bytes, so alive.
    const server = await serve(clickTurn, { completedDelayMs: 2500, keepAliveMs: 100 });
    const events = await collect(client(server, { timeoutMs: 1000, idleTimeoutMs: 600 }).stream(body));
    expect(events.at(-1)?.type).toBe('response.completed');
    expect(creates(server)).toHaveLength(1);
  });

  it('--idle-timeout cuts a silent stream after exactly that silence', async () => {
    const server = await serve(clickTurn, { hang: { afterItems: 1 } });
    const stream = client(server, { idleTimeoutMs: 700, maxResumes: 0 }).stream(body);
    let lastEvent = 0;
    const { error } = await failure(
      (async () => {
        for await (const event of stream) lastEvent = event ? performance.now() : lastEvent;
      })(),
    );
    const silence = performance.now() - lastEvent;
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toContain('--idle-timeout');
    expect(silence).toBeGreaterThanOrEqual(690);
    expect(silence).toBeLessThan(1500);
    expect(creates(server)).toHaveLength(1);
  });

  it('a dropped silent stream with a response id is resumed, not created again', async () => {
    // In the background, so that the response goes on when its first stream is closed.
    const server = await serve(clickTurn, { hang: { afterItems: 1 } });
    const stream = client(server, { idleTimeoutMs: 400, maxResumes: 1 }).stream({
      ...body,
      background: true,
    });
    const { error } = await failure(collect(stream));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(creates(server)).toHaveLength(1);
    const resumes = server.requests.filter((request) => request.method === 'GET');
    expect(resumes).toHaveLength(1);
    expect(resumes[0]?.query).toMatchObject({ stream: 'true' });
  });

  it('a non-streaming create slower than --timeout is POSTed once and answered (--request-timeout governs it)', async () => {
    const server = await serve(clickTurn, { delayMs: 1200 });
    const response = await client(server, { timeoutMs: 300, requestTimeoutMs: 5000 }).create(body);
    expect(response.status).toBe('completed');
    expect(creates(server)).toHaveLength(1);
  });

  it('a non-streaming create slower than --request-timeout fails after that long, POSTed once', async () => {
    const server = await serve(clickTurn, { delayMs: 3000 });
    const { error, ms } = await failure(client(server, { requestTimeoutMs: 800 }).create(body));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toContain('--request-timeout');
    expect(ms).toBeGreaterThanOrEqual(790);
    expect(ms).toBeLessThan(2000);
    expect(creates(server)).toHaveLength(1);
  });

  it('a stream whose headers come later than --timeout fails after that long, POSTed once', async () => {
    const server = await serve(clickTurn, { delayMs: 3000 });
    const { error, ms } = await failure(collect(client(server, { timeoutMs: 600 }).stream(body)));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toContain('--timeout');
    expect(ms).toBeGreaterThanOrEqual(590);
    expect(ms).toBeLessThan(2000);
    expect(creates(server)).toHaveLength(1);
  });
});

describe('a create is not idempotent', () => {
  it('an error event before response.created: one POST and the server message', async () => {
    const server = await serve(clickTurn, {
      errorBeforeCreated: { code: 'insufficient_quota', message: 'You exceeded your current quota.' },
    });
    const { error } = await failure(collect(client(server).stream(body)));
    expect(error).toBeInstanceOf(StreamErrorEvent);
    expect((error as Error).message).toContain('You exceeded your current quota. (insufficient_quota)');
    expect(creates(server)).toHaveLength(1);
  });

  it('an error event that says it is transient is tried again, then served', async () => {
    const server = await serve(clickTurn, {
      errorBeforeCreated: { code: 'server_error', message: 'The server had an error.', times: 1 },
    });
    const events = await collect(client(server).stream(body));
    expect(events.at(-1)?.type).toBe('response.completed');
    expect(creates(server)).toHaveLength(2);
  });

  it('a body cut after its response id is recovered by retrieving it, not by a second POST', async () => {
    const server = await serve(clickTurn, { resetMidBody: 'after_id' });
    const response = await client(server).create(body);
    expect(response.status).toBe('completed');
    expect(response.output?.some((item) => item.type === 'computer_call')).toBe(true);
    expect(creates(server)).toHaveLength(1);
    expect(
      server.requests.some((request) => request.method === 'GET' && request.path.endsWith(response.id)),
    ).toBe(true);
  });

  it('a body cut before its response id is a network error, not sent again', async () => {
    const server = await serve(clickTurn, { resetMidBody: 'before_id' });
    const { error } = await failure(client(server).create(body));
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toContain('the answer broke off');
    expect(creates(server)).toHaveLength(1);
  });

  it.each(['no_id', 'garbled', 'empty'] as const)(
    'an unusable stream (%s) is reported as such after one POST',
    async (kind) => {
      const server = await serve(clickTurn, { unusableStream: kind });
      const { error } = await failure(collect(client(server).stream(body)));
      expect(error).toBeInstanceOf(UnusableStreamError);
      expect(creates(server)).toHaveLength(1);
    },
  );

  it('a stream that broke after an item and before any response id fails: asking again could act twice', async () => {
    const server = await serve(clickTurn, { earlyDrop: true });
    const seen: StreamEvent[] = [];
    const { error } = await failure(
      (async () => {
        for await (const event of client(server).stream(body)) seen.push(event);
      })(),
    );
    expect(seen.map((event) => event.type)).toEqual(['response.output_item.done']);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toContain('could perform the same actions twice');
    expect(creates(server)).toHaveLength(1);
  });
});

describe('retries as openai-node', () => {
  it.each([408, 409, 429, 500, 503])('%i then 200 succeeds', async (status) => {
    const server = await serve(clickTurn, { httpError: { status, times: 1 } });
    const events = await collect(client(server).stream(body));
    expect(events.at(-1)?.type).toBe('response.completed');
    expect(creates(server)).toHaveLength(2);
  });

  it('x-should-retry: false stops a 500 from being retried', async () => {
    const server = await serve(clickTurn, {
      httpError: { status: 500, times: 1, headers: { 'x-should-retry': 'false' } },
    });
    const { error } = await failure(client(server).create(body));
    expect(error).toBeInstanceOf(ServerError);
    expect(creates(server)).toHaveLength(1);
  });

  it('x-should-retry: true retries even a 400', async () => {
    const server = await serve(clickTurn, {
      httpError: { status: 400, times: 1, headers: { 'x-should-retry': 'true' } },
    });
    expect((await client(server).create(body)).status).toBe('completed');
    expect(creates(server)).toHaveLength(2);
  });

  it('retry-after-ms is waited for', async () => {
    const server = await serve(clickTurn, { httpError: { status: 429, times: 1, retryAfterMs: 600 } });
    const started = performance.now();
    await client(server).create(body);
    expect(performance.now() - started).toBeGreaterThanOrEqual(590);
    const [first, second] = creates(server);
    expect(second!.time - first!.time).toBeGreaterThanOrEqual(590);
  });

  it('gives up after --max-retries and says how many attempts it made', async () => {
    const server = await serve(clickTurn, { httpError: { status: 409, times: 5 } });
    const { error } = await failure(
      client(server, { retry: { maxRetries: 1, baseDelayMs: 5 } }).create(body),
    );
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain('gave up after 2 attempts');
    expect(creates(server)).toHaveLength(2);
  });
});

/** A server answering every request with one fixed status and JSON body. */
async function answering(status: number, json: unknown): Promise<{ url: string }> {
  const server = createServer((request, response) => {
    request.resume();
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(json));
  });
  plain.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('cancel and delete answers of every shape', () => {
  it.each([
    [{ canceled: true }, 'cancelled'],
    [{ cancelled: true }, 'cancelled'],
    [{ data: { canceled: true }, metadata: { request_id: 'r1' } }, 'cancelled'],
    [{ canceled: false }, 'already_finished'],
    [{ id: 'resp_1', object: 'response', status: 'cancelled' }, 'cancelled'],
    [{ id: 'resp_1', object: 'response', status: 'completed' }, 'already_finished'],
    [{ object: 'response', status: 'cancelled' }, 'cancelled'],
    [{ object: 'response', status: 'in_progress' }, 'cancelling'],
    [{ ok: true }, 'failed'],
  ])('cancel answered %j is %s', async (answer, outcome) => {
    const result = await client(await answering(200, answer)).cancel('resp_1');
    expect(result.outcome).toBe(outcome);
  });

  it('delete reports what the server said, not always "deleted"', async () => {
    const said = await client(await answering(200, { id: 'resp_1', deleted: false })).delete('resp_1');
    expect(said.deleted).toBe(false);
    const silent = await client(await answering(200, {})).delete('resp_1');
    expect(silent).toMatchObject({ id: 'resp_1', deleted: undefined });
  });

  it('a 405 on delete says the server does not support deleting responses', async () => {
    const server = await answering(405, { error: { message: 'Method Not Allowed' } });
    const { error } = await failure(client(server).delete('resp_1'));
    expect((error as Error).message).toContain('does not support deleting responses');
  });

  it('a 404 on delete names both readings', async () => {
    const server = await answering(404, { detail: 'Not Found' });
    const { error } = await failure(client(server).delete('resp_1'));
    expect((error as Error).message).toMatch(
      /no response has this id, or this server does not support deleting/,
    );
  });
});
