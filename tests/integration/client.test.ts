import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AbortError,
  ApiError,
  AuthError,
  NetworkError,
  RateLimitError,
  ServerError,
} from '../../src/client/errors.js';
import { type ClientOptions, ResponsesClient } from '../../src/client/responses-client.js';
import { startModelServer } from '../../src/model-server/index.js';
import type { ModelServer, ModelServerOptions } from '../../src/model-server/index.js';
import type { StreamEvent } from '../../src/protocol/index.js';

const CANARY = 'sk-canary-7f3a9b1c5d2e8f4a6b0c';
const servers: ModelServer[] = [];

async function serve(options: Partial<ModelServerOptions> & Pick<ModelServerOptions, 'script'>) {
  const server = await startModelServer({ dialect: 'lightcone', ...options });
  servers.push(server);
  return server;
}

function clientFor(server: ModelServer, options: Partial<ClientOptions> = {}) {
  return new ResponsesClient({
    baseUrl: server.url,
    apiKey: CANARY,
    retry: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 50 },
    ...options,
  });
}

const body = (extra: Record<string, unknown> = {}) => ({
  model: 'tzafon.northstar-cua-fast',
  input: [{ role: 'user', content: [{ type: 'input_text', text: 'do it' }] }],
  tools: [{ type: 'computer_use', display_width: 1280, display_height: 800, environment: 'desktop' }],
  ...extra,
});

const openaiBody = (extra: Record<string, unknown> = {}) => ({
  model: 'computer-use-preview',
  input: [{ role: 'user', content: [{ type: 'input_text', text: 'do it' }] }],
  tools: [{ type: 'computer_use_preview', display_width: 1280, display_height: 800, environment: 'linux' }],
  truncation: 'auto',
  ...extra,
});

const clickTurn = { reasoning: 'I will click the button.', actions: [{ type: 'click', x: 500, y: 300 }] };

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const seen: StreamEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('create', () => {
  it('streams a turn as typed events, ids and statuses included', async () => {
    const server = await serve({ script: [clickTurn], apiKey: CANARY });
    const stream = clientFor(server).stream(body());
    const events = await collect(stream);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(types).toContain('response.reasoning_summary_text.delta');
    const done = events.filter((e) => e.type === 'response.output_item.done');
    expect(done.map((e) => (e as { item: { type: string } }).item.type)).toEqual([
      'reasoning',
      'computer_call',
    ]);
    expect(stream.responseId).toMatch(/^resp_/);
    expect(stream.response?.status).toBe('completed');
    const sequence = events.map((e) => (e as { sequence_number?: number }).sequence_number ?? -1);
    expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
  });

  it('creates without streaming', async () => {
    const server = await serve({ script: [clickTurn] });
    const response = await clientFor(server).create(body());
    expect(response.status).toBe('completed');
    expect(response.output?.map((item) => item.type)).toEqual(['reasoning', 'computer_call']);
    expect(server.requests[0]?.body).toMatchObject({ stream: false });
  });

  it('hands the action over at output_item.done, before response.completed', async () => {
    const server = await serve({ script: [{ ...clickTurn, fault: { completedDelayMs: 500 } }] });
    const arrivals: Record<string, number> = {};
    for await (const event of clientFor(server).stream(body())) {
      if (event.type === 'response.output_item.done')
        arrivals[(event as { item: { type: string } }).item.type] ??= performance.now();
      if (event.type === 'response.completed') arrivals.completed = performance.now();
    }
    expect((arrivals.completed ?? 0) - (arrivals.computer_call ?? Infinity)).toBeGreaterThanOrEqual(400);
  });

  it('accepts a plain JSON answer to a streaming request, as the same events', async () => {
    const server = await serve({ script: [{ ...clickTurn, fault: { forceJson: true } }] });
    const stream = clientFor(server).stream(body());
    const events = await collect(stream);
    expect(events.map((e) => e.type)).toEqual([
      'response.output_item.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(stream.response?.status).toBe('completed');
  });

  it('ignores event types it does not know', async () => {
    const server = await serve({ script: [{ ...clickTurn, fault: { unknownEvent: true } }] });
    const events = await collect(clientFor(server).stream(body()));
    expect(events.every((e) => e.type !== 'unknown')).toBe(true);
    expect(events.at(-1)?.type).toBe('response.completed');
  });

  it('skips a malformed event, says so in the log, and still completes', async () => {
    const server = await serve({ script: [{ ...clickTurn, fault: { malformedEvent: true } }] });
    const warnings: string[] = [];
    const stream = clientFor(server, {
      log: (level, message) => level === 'warn' && warnings.push(message),
    }).stream(body());
    const events = await collect(stream);
    expect(events.at(-1)?.type).toBe('response.completed');
    expect(stream.malformedEvents).toBe(1);
    expect(warnings.join()).toContain('not JSON');
  });

  it('settles a stream that ends without a terminal event (cancelled elsewhere) from the stored response', async () => {
    const server = await serve({ script: [{ ...clickTurn, fault: { hang: { afterItems: 1 } } }] });
    const client = clientFor(server);
    const stream = client.stream(body());
    const events: StreamEvent[] = [];
    for await (const event of stream) {
      events.push(event);
      // Someone else (another deskhand, a person) cancels it once the first item is out.
      if (event.type === 'response.output_item.done')
        await fetch(`${server.url}/v1/responses/${stream.responseId}/cancel`, {
          method: 'POST',
          headers: { authorization: `Bearer ${CANARY}` },
        });
    }
    expect(events.at(-1)?.type).toBe('response.cancelled');
    expect(stream.response?.status).toBe('cancelled');
    expect(events.filter((e) => e.type === 'response.output_item.done')).toHaveLength(1);
  });
});

describe('failures and retries', () => {
  it('resumes a dropped stream after the last event seen, without creating the response again', async () => {
    const server = await serve({
      script: [{ ...clickTurn, message: 'done soon', fault: { dropAfterEvents: 5 } }],
    });
    const stream = clientFor(server).stream(body());
    const events = await collect(stream);
    expect(events.at(-1)?.type).toBe('response.completed');
    const sequence = events.map((e) => (e as { sequence_number: number }).sequence_number);
    expect(new Set(sequence).size).toBe(sequence.length);
    expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    const resume = server.requests.find((r) => r.method === 'GET');
    expect(resume?.query).toMatchObject({ stream: 'true', starting_after: '4' });
  });

  it('retries after a 429, honouring Retry-After', async () => {
    const server = await serve({
      script: [{ ...clickTurn, fault: { httpError: { status: 429, retryAfter: 0.2 } } }],
    });
    const started = performance.now();
    const response = await clientFor(server).create(body());
    expect(response.status).toBe('completed');
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(server.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('retries 500s, and a connection reset before any event', async () => {
    const server = await serve({
      script: [
        { ...clickTurn, fault: { httpError: { status: 500, times: 2 } } },
        { ...clickTurn, fault: { connectionReset: 1 } },
      ],
    });
    const client = clientFor(server);
    expect((await client.create(body())).status).toBe('completed');
    expect((await collect(client.stream(body()))).at(-1)?.type).toBe('response.completed');
  });

  it('gives a typed error once 500s outlast the retries', async () => {
    const server = await serve({
      script: [{ ...clickTurn, fault: { httpError: { status: 500, times: 10 } } }],
    });
    const error = await clientFor(server)
      .create(body())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).status).toBe(500);
    expect((error as Error).message).toContain('after 3 attempts');
    expect(server.requests).toHaveLength(3);
  });

  it('types a rate limit that outlasts the retries, and an unreachable server', async () => {
    const server = await serve({
      script: [{ ...clickTurn, fault: { httpError: { status: 429, times: 10, retryAfter: 0 } } }],
    });
    await expect(clientFor(server).create(body())).rejects.toBeInstanceOf(RateLimitError);
    const nowhere = new ResponsesClient({ baseUrl: 'http://127.0.0.1:9', retry: { maxRetries: 0 } });
    await expect(nowhere.create(body())).rejects.toBeInstanceOf(NetworkError);
  });
});

describe('cancel', () => {
  for (const dialect of ['lightcone', 'openai'] as const) {
    it(`${dialect}: cancels an in-progress response, reports a finished one and an unknown id`, async () => {
      const server = await serve({ dialect, script: [{ ...clickTurn, fault: { hang: true } }, clickTurn] });
      const client = clientFor(server);
      const request = (extra = {}) =>
        dialect === 'openai' ? openaiBody({ background: true, ...extra }) : body(extra);
      const stream = client.stream(request());
      const iterator = stream[Symbol.asyncIterator]();
      await iterator.next();
      expect(stream.mayBeRunning).toBe(true);
      const cancelled = await stream.cancel();
      expect(cancelled?.outcome).toMatch(/^cancell/);
      expect(server.cancelCalls()).toEqual([stream.responseId]);
      const again = await client.cancel(stream.responseId as string);
      expect(['already_finished', 'cancelled']).toContain(again.outcome);

      const finished = await client.create(request());
      const late = await client.cancel(finished.id);
      expect(late.outcome).toBe('already_finished');
      expect(late).toMatchObject({ status: 'completed' });

      expect(await client.cancel('resp_unknown')).toMatchObject({ outcome: 'not_found' });
    });
  }

  it('openai: a non-background response cannot be cancelled, and says so', async () => {
    const server = await serve({ dialect: 'openai', script: [{ ...clickTurn, fault: { hang: true } }] });
    const client = clientFor(server);
    const stream = client.stream(openaiBody());
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const result = await client.cancel(stream.responseId as string);
    expect(result.outcome).toBe('not_cancellable');
    stream.close();
  });

  it('closing the stream mid-response drops the connection at once', async () => {
    const server = await serve({ script: [{ ...clickTurn, fault: { hang: true } }] });
    const stream = clientFor(server).stream(body());
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const id = stream.responseId as string;
    stream.close();
    await expect(iterator.next()).rejects.toBeInstanceOf(AbortError);
    // The server sees the client go away and stops generating (Lightcone: status cancelled).
    const deadline = Date.now() + 2000;
    while (server.response(id)?.status === 'in_progress' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(server.response(id)?.status).toBe('cancelled');
  });

  it('an AbortSignal aborts a stream waiting on a hung response', async () => {
    const server = await serve({ script: [{ ...clickTurn, fault: { hang: true } }] });
    const controller = new AbortController();
    const stream = clientFor(server).stream(body(), { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    const started = performance.now();
    await expect(collect(stream)).rejects.toBeInstanceOf(AbortError);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('a long-lived signal (a whole run)', () => {
  it('is not left holding finished streams (each would keep its request body and screenshot)', async () => {
    const server = await serve({ script: () => clickTurn });
    const client = clientFor(server);
    const run = new AbortController();
    for (let turn = 0; turn < 3; turn++) await collect(client.stream(body(), { signal: run.signal }));
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });
});

describe('the API key', () => {
  it('never appears in errors or logs', async () => {
    const server = await serve({ script: [clickTurn], apiKey: 'a-different-key' });
    const lines: string[] = [];
    const client = clientFor(server, {
      log: (level, message, fields) => lines.push(`${level} ${message} ${JSON.stringify(fields)}`),
    });
    const error = await client.create(body()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    const texts = [String(error), (error as Error).stack, JSON.stringify((error as ApiError).body), ...lines];
    const recorded = JSON.stringify(server.requests.map((r) => r.headers));
    for (const text of [...texts, recorded]) expect(text).not.toContain(CANARY);

    const failing = await serve({
      script: [{ ...clickTurn, fault: { httpError: { status: 503, times: 5 } } }],
    });
    const error2 = await clientFor(failing, {
      log: (l, m, f) => lines.push(`${l} ${m} ${JSON.stringify(f)}`),
    })
      .create(body())
      .catch((e: unknown) => e);
    expect(lines.length).toBeGreaterThan(0);
    for (const text of [String(error2), ...lines]) expect(text).not.toContain(CANARY);
  });
});
