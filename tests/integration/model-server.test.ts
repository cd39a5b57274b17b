// The local model server over real HTTP, read with plain fetch and a small SSE reader written here
// (not deskhand's client), so the server is checked against the wire formats on its own.
import { afterEach, describe, expect, it } from 'vitest';
import {
  startModelServer,
  type ModelServer,
  type ModelServerOptions,
  type Turn,
} from '../../src/model-server/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Wire = Record<string, any>;

interface SseEvent {
  event: string;
  data: string;
}

async function* sse(response: Response): AsyncGenerator<SseEvent> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
          else throw new Error(`unexpected SSE line ${JSON.stringify(line)}`);
        }
        yield { event, data: data.join('\n') };
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/** Every event of a stream; `error` is set when the connection broke before the end. */
async function readStream(response: Response): Promise<{ events: Wire[]; raw: SseEvent[]; error?: unknown }> {
  const raw: SseEvent[] = [];
  try {
    for await (const event of sse(response)) raw.push(event);
  } catch (error) {
    return { raw, events: parsed(raw), error };
  }
  return { raw, events: parsed(raw) };
}

function parsed(raw: SseEvent[]): Wire[] {
  return raw.flatMap((event) => {
    try {
      return [JSON.parse(event.data) as Wire];
    } catch {
      return [];
    }
  });
}

let server: ModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(
  options: Partial<ModelServerOptions> & Pick<ModelServerOptions, 'dialect'>,
): Promise<ModelServer> {
  server = await startModelServer({ script: [], ...options });
  return server;
}

const lightconeTool = {
  type: 'computer_use',
  display_width: 1280,
  display_height: 720,
  environment: 'desktop',
};
const previewTool = {
  type: 'computer_use_preview',
  display_width: 1024,
  display_height: 768,
  environment: 'linux',
};

function firstInput(): Wire[] {
  return [{ role: 'user', content: [{ type: 'input_text', text: 'Open the settings' }] }];
}

function post(path: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) {
  return fetch(`${server!.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

const get = (path: string): Promise<Response> => fetch(`${server!.url}${path}`);

async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const fullTurn: Turn = {
  reasoning: 'The settings icon is in the top right corner.',
  message: 'Opening the settings.',
  actions: [{ type: 'click', x: 500, y: 40, button: 'left' }],
};

describe('streaming create', () => {
  it('sends the full OpenAI event sequence for a reasoning + message + computer_call turn', async () => {
    await start({ dialect: 'lightcone', script: [fullTurn] });
    const response = await post('/v1/responses', {
      model: 'tzafon.northstar-cua-fast',
      input: firstInput(),
      tools: [lightconeTool],
      stream: true,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { events, raw, error } = await readStream(response);
    expect(error).toBeUndefined();

    const types = events.map((event) => event.type);
    const deltas = (type: string): string[] => types.filter((t) => t === type);
    expect(deltas('response.reasoning_summary_text.delta').length).toBeGreaterThan(1);
    expect(deltas('response.output_text.delta').length).toBeGreaterThan(1);
    const collapsed = types.filter((type, i) => !(type.endsWith('.delta') && types[i - 1] === type));
    expect(collapsed).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.output_item.done',
      'response.completed',
    ]);
    // Framing: the event line names the data's type; sequence numbers count from 0 without gaps.
    raw.forEach((frame, index) => expect(frame.event).toBe(events[index]!.type));
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));

    const created = events[0]!.response;
    expect(created.status).toBe('in_progress');
    expect(created.id).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(created.output).toEqual([]);
    expect(created.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(created.viewport).toEqual({ environment: 'desktop', width: 1280, height: 720 });
    expect(typeof created.computer_id).toBe('string');

    const added = events.filter((event) => event.type === 'response.output_item.added');
    const done = events.filter((event) => event.type === 'response.output_item.done');
    expect(added.map((event) => event.output_index)).toEqual([0, 1, 2]);
    expect(added.map((event) => event.item.status)).toEqual(['in_progress', 'in_progress', 'in_progress']);
    expect(done.map((event) => event.item.status)).toEqual(['completed', 'completed', 'completed']);
    const [reasoning, message, call] = done.map((event) => event.item as Wire);
    expect(reasoning).toMatchObject({
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: fullTurn.reasoning }],
    });
    expect(reasoning!.id).toMatch(/^rs_/);
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'output_text', text: fullTurn.message, annotations: [] }],
    });
    expect(message!.id).toMatch(/^msg_/);
    expect(call).toMatchObject({ type: 'computer_call', action: fullTurn.actions![0], status: 'completed' });
    expect(call!.id).toMatch(/^cu_/);
    expect(call!.call_id).toMatch(/^call_/);

    const summaryDeltas = events.filter((event) => event.type === 'response.reasoning_summary_text.delta');
    expect(summaryDeltas.map((event) => event.delta).join('')).toBe(fullTurn.reasoning);
    for (const event of summaryDeltas)
      expect(event).toMatchObject({ item_id: reasoning!.id, output_index: 0, summary_index: 0 });
    const textDeltas = events.filter((event) => event.type === 'response.output_text.delta');
    expect(textDeltas.map((event) => event.delta).join('')).toBe(fullTurn.message);
    for (const event of textDeltas)
      expect(event).toMatchObject({ item_id: message!.id, output_index: 1, content_index: 0 });
    expect(events.find((event) => event.type === 'response.output_text.done')).toMatchObject({
      text: fullTurn.message,
    });

    const completed = events.at(-1)!.response;
    expect(completed).toMatchObject({
      id: created.id,
      status: 'completed',
      model: 'tzafon.northstar-cua-fast',
    });
    expect(completed.output).toEqual([reasoning, message, call]);
    expect(completed.usage.total_tokens).toBe(completed.usage.input_tokens + completed.usage.output_tokens);

    // The stored response is what retrieve returns.
    const retrieved = (await (await get(`/v1/responses/${created.id}`)).json()) as Wire;
    expect(retrieved).toEqual(completed);
    expect(server!.requests[0]).toMatchObject({ method: 'POST', path: '/v1/responses', status: 200 });
    expect(server!.requests[0]!.warnings).toEqual([]);
  });

  it('puts computer calls out before completion when completion is delayed', async () => {
    await start({
      dialect: 'lightcone',
      script: [{ actions: [{ type: 'wait' }], fault: { completedDelayMs: 300 } }],
    });
    const started = Date.now();
    const response = await post('/v1/responses', {
      input: firstInput(),
      tools: [lightconeTool],
      stream: true,
    });
    const times: Record<string, number> = {};
    for await (const event of sse(response)) times[event.event] ??= Date.now() - started;
    expect(times['response.completed']! - times['response.output_item.done']!).toBeGreaterThanOrEqual(250);
  });
});

describe('non-streaming create, retrieve, delete', () => {
  it('answers application/json with the whole OpenAI response, preview and GA computer calls', async () => {
    const safetyChecks = [{ id: 'cu_sc_1', code: 'malicious_instructions', message: 'Check the page' }];
    await start({
      dialect: 'openai',
      script: [
        { actions: [{ type: 'click', button: 'left', x: 10, y: 20 }], safetyChecks },
        { actions: [{ type: 'screenshot' }, { type: 'type', text: 'hi' }] },
      ],
    });
    const response = await post('/v1/responses', {
      model: 'computer-use-preview',
      input: firstInput(),
      tools: [previewTool],
    });
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as Wire;
    expect(body).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'computer-use-preview',
      background: false,
      error: null,
      previous_response_id: null,
      tools: [previewTool],
    });
    expect(typeof body.created_at).toBe('number');
    expect(body.output).toEqual([
      {
        id: expect.stringMatching(/^cu_/),
        type: 'computer_call',
        call_id: expect.stringMatching(/^call_/),
        status: 'completed',
        action: { type: 'click', button: 'left', x: 10, y: 20 },
        pending_safety_checks: safetyChecks,
      },
    ]);
    expect(body.usage).toMatchObject({ input_tokens_details: { cached_tokens: 0 } });

    // The GA `computer` tool gets `actions`, one call per action unless batched.
    const ga = (await (
      await post('/v1/responses', {
        model: 'gpt-5',
        previous_response_id: body.id,
        input: [
          {
            type: 'computer_call_output',
            call_id: body.output[0].call_id,
            acknowledged_safety_checks: safetyChecks,
            output: { type: 'computer_screenshot', image_url: 'data:image/png;base64,' },
          },
        ],
        tools: [{ type: 'computer' }],
      })
    ).json()) as Wire;
    expect(ga.output.map((item: Wire) => item.actions)).toEqual([
      [{ type: 'screenshot' }],
      [{ type: 'type', text: 'hi' }],
    ]);
    expect(server!.requests[1]!.chainError).toBeUndefined();
  });

  it('answers 404 with an error body for unknown ids, and deletes', async () => {
    await start({ dialect: 'lightcone', script: [{ message: 'done' }] });
    for (const [method, path] of [
      ['GET', '/v1/responses/resp_nope'],
      ['POST', '/v1/responses/resp_nope/cancel'],
      ['DELETE', '/v1/responses/resp_nope'],
    ] as const) {
      const response = await fetch(`${server!.url}${path}`, { method });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({
        error: { type: 'invalid_request_error', message: expect.any(String) },
      });
    }
    const created = (await (
      await post('/v1/responses', { input: firstInput(), tools: [lightconeTool] })
    ).json()) as Wire;
    const deleted = await fetch(`${server!.url}/v1/responses/${created.id}`, { method: 'DELETE' });
    expect(await deleted.json()).toEqual({ id: created.id, object: 'response', deleted: true });
    expect((await get(`/v1/responses/${created.id}`)).status).toBe(404);
    expect(server!.deleteCalls()).toEqual(['resp_nope', created.id]);
  });

  it('answers "script exhausted" when the script runs out', async () => {
    await start({ dialect: 'lightcone', script: [] });
    const body = (await (
      await post('/v1/responses', { input: firstInput(), tools: [lightconeTool] })
    ).json()) as Wire;
    expect(body.status).toBe('completed');
    expect(body.output[0].content[0].text).toBe('script exhausted');
  });
});

describe('resume after a dropped stream', () => {
  it('replays the events after starting_after and continues live (Lightcone)', async () => {
    await start({
      dialect: 'lightcone',
      script: [{ ...fullTurn, fault: { dropAfterEvents: 4, eventDelayMs: 5 } }],
    });
    const first = await readStream(
      await post('/v1/responses', { input: firstInput(), tools: [lightconeTool], stream: true }),
    );
    expect(first.error).toBeDefined();
    expect(first.events.map((event) => event.sequence_number)).toEqual([0, 1, 2, 3]);
    const id = first.events[0]!.response.id as string;
    const resumed = await readStream(await get(`/v1/responses/${id}?stream=true&starting_after=3`));
    expect(resumed.error).toBeUndefined();
    expect(resumed.events[0]!.sequence_number).toBe(4);
    const all = [...first.events, ...resumed.events];
    expect(all.map((event) => event.sequence_number)).toEqual(all.map((_, index) => index));
    expect(all.at(-1)).toMatchObject({ type: 'response.completed', response: { id, status: 'completed' } });
    // Resuming a finished response replays from the stored events.
    const replay = await readStream(await get(`/v1/responses/${id}?stream=true&starting_after=10`));
    expect(replay.events.map((event) => event.sequence_number)).toEqual(
      all.slice(11).map((event) => event.sequence_number),
    );
  });

  it('OpenAI: resumes background streams only', async () => {
    await start({
      dialect: 'openai',
      script: [
        { ...fullTurn, fault: { dropAfterEvents: 2 } },
        { ...fullTurn, fault: { dropAfterEvents: 5 } },
      ],
    });
    const base = { model: 'computer-use-preview', input: firstInput(), tools: [previewTool], stream: true };
    const plain = await readStream(await post('/v1/responses', base));
    const refused = await get(`/v1/responses/${plain.events[0]!.response.id}?stream=true&starting_after=1`);
    expect(refused.status).toBe(400);

    const background = await readStream(await post('/v1/responses', { ...base, background: true }));
    expect(background.events.map((event) => event.type)).toEqual([
      'response.created',
      'response.queued',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
    ]);
    expect(background.events[0]!.response.status).toBe('queued');
    const resumed = await readStream(
      await get(`/v1/responses/${background.events[0]!.response.id}?stream=true&starting_after=4`),
    );
    expect(resumed.events[0]!.sequence_number).toBe(5);
    expect(resumed.events.at(-1)!.type).toBe('response.completed');
  });
});

describe('cancel', () => {
  it('Lightcone: cancels in_progress responses only', async () => {
    await start({
      dialect: 'lightcone',
      script: [{ ...fullTurn, fault: { hang: true } }, { message: 'done' }],
    });
    const response = await post('/v1/responses', {
      input: firstInput(),
      tools: [lightconeTool],
      stream: true,
    });
    const reading = readStream(response);
    await until(() => server!.responseIds().length === 1);
    const id = server!.responseIds()[0]!;
    expect(server!.response(id)!.status).toBe('in_progress');

    const cancelled = await post(`/v1/responses/${id}/cancel`, {});
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ id, status: 'cancelled' });
    // No stream event exists for cancellation: the stream ends after the last event it had.
    const { events, error } = await reading;
    expect(error).toBeUndefined();
    expect(events.map((event) => event.type)).toEqual(['response.created', 'response.in_progress']);

    const again = await post(`/v1/responses/${id}/cancel`, {});
    expect(again.status).toBe(400);
    expect(((await again.json()) as Wire).error.message).toMatch(
      /only responses with status in_progress can be cancelled/i,
    );
    const completed = (await (
      await post('/v1/responses', { input: firstInput(), tools: [lightconeTool] })
    ).json()) as Wire;
    expect((await post(`/v1/responses/${completed.id}/cancel`, {})).status).toBe(400);
    expect((await post('/v1/responses/resp_unknown/cancel', {})).status).toBe(404);
    expect(server!.cancelCalls()).toEqual([id, id, completed.id, 'resp_unknown']);
  });

  it('Lightcone: the conflict status can be 409', async () => {
    await start({ dialect: 'lightcone', script: [{ message: 'done' }], cancelRejectStatus: 409 });
    const completed = (await (
      await post('/v1/responses', { input: firstInput(), tools: [lightconeTool] })
    ).json()) as Wire;
    expect((await post(`/v1/responses/${completed.id}/cancel`, {})).status).toBe(409);
  });

  it('OpenAI: cancels background responses, idempotently; refuses the others', async () => {
    await start({
      dialect: 'openai',
      script: [{ ...fullTurn, fault: { hang: { afterItems: 1 } } }, { message: 'done' }],
    });
    const base = { model: 'computer-use-preview', input: firstInput(), tools: [previewTool] };
    const accepted = (await (await post('/v1/responses', { ...base, background: true })).json()) as Wire;
    expect(accepted).toMatchObject({ status: 'queued', background: true });
    await until(() => (server!.response(accepted.id) as Wire).output.length === 1);

    const first = (await (await post(`/v1/responses/${accepted.id}/cancel`, {})).json()) as Wire;
    expect(first).toMatchObject({ id: accepted.id, status: 'cancelled' });
    expect(first).not.toHaveProperty('usage'); // openapi Response.usage is not nullable: none until known
    const second = await post(`/v1/responses/${accepted.id}/cancel`, {});
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual(first);

    const plain = (await (await post('/v1/responses', base)).json()) as Wire;
    const refused = await post(`/v1/responses/${plain.id}/cancel`, {});
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as Wire).error.message).toMatch(/background/);
    expect((await post('/v1/responses/resp_unknown/cancel', {})).status).toBe(404);
  });

  it('closing the connection stops a hung non-background response, not a background one', async () => {
    await start({
      dialect: 'openai',
      script: () => ({ ...fullTurn, fault: { hang: true } }),
    });
    const controller = new AbortController();
    const base = { model: 'computer-use-preview', input: firstInput(), tools: [previewTool] };
    const response = await post('/v1/responses', { ...base, stream: true }, {}, controller.signal);
    const iterator = sse(response);
    await iterator.next();
    const id = server!.responseIds()[0]!;
    controller.abort();
    await until(() => server!.response(id)!.status === 'cancelled');

    // The same without streaming: the pending request goes away.
    const second = new AbortController();
    const pending = post('/v1/responses', base, {}, second.signal).catch((error: unknown) => error);
    await until(() => server!.responseIds().length === 2);
    second.abort();
    await pending;
    await until(() => server!.response(server!.responseIds()[1]!)!.status === 'cancelled');

    // A background response outlives its stream.
    const third = new AbortController();
    const background = await post(
      '/v1/responses',
      { ...base, stream: true, background: true },
      {},
      third.signal,
    );
    await sse(background).next();
    third.abort();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server!.response(server!.responseIds()[2]!)!.status).toBe('in_progress');
  });
});

describe('errors and faults', () => {
  it('answers 401 without the right key and never records the key', async () => {
    const key = 'sk-canary-0123456789abcdef';
    await start({ dialect: 'lightcone', script: [{ message: 'ok' }], apiKey: key });
    const body = { input: firstInput(), tools: [lightconeTool] };
    for (const headers of [{}, { authorization: 'Bearer wrong-key' }] as Record<string, string>[]) {
      const response = await post('/v1/responses', body, headers);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({
        error: { code: 'invalid_api_key', message: expect.any(String) },
      });
    }
    const ok = await post('/v1/responses', body, { authorization: `Bearer ${key}` });
    expect(ok.status).toBe(200);
    expect(server!.requests.map((request) => request.authorized)).toEqual([false, false, true]);
    expect(server!.requests[2]!.headers.authorization).toBe('Bearer sk-c…');
    expect(JSON.stringify(server!.requests)).not.toContain(key);
  });

  it('answers 429 with Retry-After, and 500 twice, before serving the turn', async () => {
    await start({
      dialect: 'lightcone',
      script: [
        { message: 'one', fault: { httpError: { status: 429, retryAfter: 1 } } },
        { message: 'two', fault: { httpError: { status: 500, times: 2 } } },
      ],
    });
    const body = { input: firstInput(), tools: [lightconeTool] };
    const limited = await post('/v1/responses', body);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
    expect(((await (await post('/v1/responses', body)).json()) as Wire).output[0].content[0].text).toBe(
      'one',
    );
    expect((await post('/v1/responses', body)).status).toBe(500);
    expect((await post('/v1/responses', body)).status).toBe(500);
    expect(((await (await post('/v1/responses', body)).json()) as Wire).output[0].content[0].text).toBe(
      'two',
    );
  });

  it('resets the connection, sends error events, unknown and malformed events, JSON when asked', async () => {
    await start({
      dialect: 'lightcone',
      script: [
        { ...fullTurn, fault: { connectionReset: 1, errorEvent: true } },
        { message: 'hi', fault: { unknownEvent: true, malformedEvent: true } },
        { message: 'plain', fault: { forceJson: true } },
        { message: 'cut', status: 'incomplete' },
      ],
    });
    const body = { input: firstInput(), tools: [lightconeTool], stream: true };
    await expect(post('/v1/responses', body)).rejects.toThrow();
    const failed = await readStream(await post('/v1/responses', body));
    const types = failed.events.map((event) => event.type);
    expect(types.slice(-3)).toEqual(['response.output_item.done', 'error', 'response.failed']);
    expect(failed.events.at(-1)!.response).toMatchObject({
      status: 'failed',
      error: { code: 'server_error' },
    });

    const odd = await readStream(await post('/v1/responses', body));
    expect(odd.raw.length).toBe(odd.events.length + 1);
    expect(() => JSON.parse(odd.raw[2]!.data)).toThrow();
    expect(odd.events.map((event) => event.type)).toContain('response.some_future_event');
    expect(odd.events.map((event) => event.sequence_number)).toEqual(odd.events.map((_, index) => index));

    const json = await post('/v1/responses', body);
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(((await json.json()) as Wire).status).toBe('completed');
    const cut = await readStream(await post('/v1/responses', body));
    expect(cut.events.at(-1)).toMatchObject({
      type: 'response.incomplete',
      response: { status: 'incomplete' },
    });
  });
});

describe('chaining checks', () => {
  const png = (width: number, height: number): string => {
    const header = Buffer.alloc(24);
    Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').copy(header);
    header.writeUInt32BE(width, 16);
    header.writeUInt32BE(height, 20);
    return `data:image/png;base64,${header.toString('base64')}`;
  };
  const output = (callId: string, size: [number, number] = [1280, 720]): Wire => ({
    type: 'computer_call_output',
    call_id: callId,
    output: { type: 'input_image', image_url: png(size[0], size[1]) },
  });

  it('records whether each turn answers the calls of the latest response', async () => {
    await start({
      dialect: 'lightcone',
      script: () => ({ actions: [{ type: 'click', x: 1, y: 2 }] }),
    });
    const create = async (body: Wire): Promise<Wire> =>
      (await (await post('/v1/responses', { tools: [lightconeTool], ...body })).json()) as Wire;
    const first = await create({ input: firstInput() });
    const second = await create({ previous_response_id: first.id, input: [output(first.output[0].call_id)] });
    expect(second.previous_response_id).toBe(first.id);
    expect(second.computer_id).toBe(first.computer_id);
    expect(server!.requests[1]!.chainError).toBeUndefined();
    expect(server!.requests[1]!.images).toEqual([
      { where: 'input[0].output', mime: 'image/png', bytes: 24, width: 1280, height: 720 },
    ]);

    await create({ previous_response_id: first.id, input: [output('call_wrong', [640, 360])] });
    const wrong = server!.requests[2]!;
    expect(wrong.chainError).toMatch(/not the latest response/);
    expect(wrong.chainError).toMatch(/no computer_call_output for call_id/);
    expect(wrong.chainError).toMatch(/call_wrong answers no computer_call/);
    expect(wrong.warnings).toEqual(['input[0].output is 640x360, the declared display is 1280x720']);

    const unknown = await post('/v1/responses', {
      previous_response_id: 'resp_missing',
      input: [],
      tools: [lightconeTool],
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: { param: 'previous_response_id' } });
  });

  it('rejects wrong chaining and unacknowledged safety checks when strict', async () => {
    const safetyChecks = [{ id: 'sc_1', code: 'sensitive_domain', message: 'Banking site' }];
    await start({
      dialect: 'openai',
      strictChaining: true,
      script: [
        { actions: [{ type: 'click', button: 'left', x: 1, y: 2 }], safetyChecks },
        { message: 'done' },
      ],
    });
    const base = { model: 'computer-use-preview', tools: [previewTool] };
    const first = (await (await post('/v1/responses', { ...base, input: firstInput() })).json()) as Wire;
    const callId = first.output[0].call_id as string;
    const screenshot = { type: 'computer_screenshot', image_url: png(1024, 768) };
    const unacknowledged = await post('/v1/responses', {
      ...base,
      previous_response_id: first.id,
      input: [{ type: 'computer_call_output', call_id: callId, output: screenshot }],
    });
    expect(unacknowledged.status).toBe(400);
    expect(((await unacknowledged.json()) as Wire).error.message).toMatch(/safety check sc_1/);
    const good = await post('/v1/responses', {
      ...base,
      previous_response_id: first.id,
      input: [
        {
          type: 'computer_call_output',
          call_id: callId,
          acknowledged_safety_checks: safetyChecks,
          output: screenshot,
        },
      ],
    });
    expect(good.status).toBe(200);
    expect(((await good.json()) as Wire).output[0].content[0].text).toBe('done');
    expect(server!.requests[2]!.warnings).toEqual([]);
  });

  it('refuses what OpenAI refuses: Lightcone tool types and missing models', async () => {
    await start({ dialect: 'openai', script: [{ message: 'x' }] });
    const wrongTool = await post('/v1/responses', {
      model: 'computer-use-preview',
      input: firstInput(),
      tools: [lightconeTool],
    });
    expect(wrongTool.status).toBe(400);
    expect(await wrongTool.json()).toMatchObject({ error: { param: 'tools[0].type' } });
    const noModel = await post('/v1/responses', { input: firstInput(), tools: [previewTool] });
    expect(await noModel.json()).toMatchObject({
      error: { code: 'missing_required_parameter', param: 'model' },
    });
  });
});
