import { afterEach, describe, expect, it } from 'vitest';
import { type ModelServer, startModelServer, type Turn } from '../../src/model-server/index.js';
import { openApiSpec } from '../support/openapi.js';

/*
 * Every answer of the local model server in the OpenAI dialect against the spec: JSON bodies of create,
 * retrieve and cancel as `Response`, every server-sent event's data as `ResponseStreamEvent`. The server
 * is the oracle of the other tests, so it must speak the spec itself.
 */

const spec = openApiSpec();
const servers: ModelServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

const SCREENSHOT = 'data:image/png;base64,iVBORw0KGgo=';
const safetyCheck = {
  id: 'cu_sc_1',
  code: 'malicious_instructions',
  message: 'Instructions found on screen.',
};
const PREVIEW = {
  type: 'computer_use_preview',
  display_width: 1280,
  display_height: 800,
  environment: 'linux',
};

const turns: [string, Turn][] = [
  [
    'reasoning, a message and calls with a safety check',
    {
      reasoning: 'The settings gear is top right.',
      message: 'Opening the settings.',
      actions: [
        { type: 'click', button: 'left', x: 320, y: 200 },
        { type: 'keypress', keys: ['CTRL', 'S'] },
      ],
      safetyChecks: [safetyCheck],
    },
  ],
  ['a batch of actions', { actions: [{ type: 'type', text: 'hi' }, { type: 'wait' }], batch: true }],
  ['failed', { status: 'failed', error: { code: 'server_error', message: 'The model failed.' } }],
  ['incomplete', { status: 'incomplete', message: 'Cut short' }],
  [
    'an error event mid-stream',
    { message: 'Hello', actions: [{ type: 'wait' }], fault: { errorEvent: true } },
  ],
];
const tools = [
  ['computer_use_preview', PREVIEW],
  ['computer', { type: 'computer' }],
] as const;

function body(tool: object, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'computer-use-preview',
    input: [
      {
        role: 'user',
        content: [
          { type: 'input_text', text: 'Open the settings' },
          { type: 'input_image', image_url: SCREENSHOT, detail: 'auto' },
        ],
      },
    ],
    tools: [tool],
    ...extra,
  };
}

async function serve(turn: Turn): Promise<ModelServer> {
  const server = await startModelServer({ dialect: 'openai', script: () => turn });
  servers.push(server);
  return server;
}

async function post(server: ModelServer, path: string, json?: unknown): Promise<Response> {
  return fetch(`${server.url}/v1/responses${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
}

/** Each server-sent event as its `event:` name and decoded `data:`. */
async function events(answer: Response): Promise<{ name: string; data: Record<string, unknown> }[]> {
  expect(answer.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const text = await answer.text();
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const line = (prefix: string): string =>
        block
          .split('\n')
          .find((entry) => entry.startsWith(prefix))
          ?.slice(prefix.length) ?? '';
      return { name: line('event: '), data: JSON.parse(line('data: ')) as Record<string, unknown> };
    });
}

function expectEvents(list: { name: string; data: Record<string, unknown> }[]): void {
  expect(list.length).toBeGreaterThan(2);
  for (const { name, data } of list) {
    expect(data.type).toBe(name);
    expect({ type: name, problems: spec.problems('ResponseStreamEvent', data) }).toEqual({
      type: name,
      problems: [],
    });
  }
}

function expectResponse(json: unknown): void {
  expect(spec.problems('Response', json)).toEqual([]);
}

describe('the validators', () => {
  it('reject a response and an event the spec does not allow', () => {
    const response = { id: 'resp_1', object: 'response', created_at: 1, status: 'canceled', output: [] };
    expect(spec.problems('Response', response).join('\n')).toContain('/status');
    const event = { type: 'response.output_item.done', output_index: 0, sequence_number: 3 };
    expect(spec.problems('ResponseStreamEvent', event).join('\n')).toContain('item');
  });
});

describe.each(tools)('the OpenAI server with the %s tool', (_, tool) => {
  it.each(turns)('streams a turn with %s as spec events', async (__, turn) => {
    const server = await serve(turn);
    expectEvents(await events(await post(server, '', body(tool, { stream: true }))));
  });

  it.each(turns)('answers a turn with %s as a spec Response (create and retrieve)', async (__, turn) => {
    const server = await serve(turn);
    const created = (await (await post(server, '', body(tool))).json()) as { id: string };
    expectResponse(created);
    expectResponse(await (await fetch(`${server.url}/v1/responses/${created.id}`)).json());
  });
});

describe('background responses on the OpenAI server', () => {
  it('answers create (queued), retrieve, cancel and a resumed stream to the spec', async () => {
    const server = await serve({ reasoning: 'Thinking.', fault: { hang: { afterItems: 1 } } });
    const created = (await (await post(server, '', body(PREVIEW, { background: true }))).json()) as {
      id: string;
      status: string;
    };
    expect(created.status).toBe('queued');
    expectResponse(created);
    const resumed = fetch(`${server.url}/v1/responses/${created.id}?stream=true&starting_after=-1`);
    await server.waitForRequest((r) => r.query.stream === 'true');
    expectResponse(await (await fetch(`${server.url}/v1/responses/${created.id}`)).json());
    const cancelled = await (await post(server, `/${created.id}/cancel`)).json();
    expect(cancelled).toMatchObject({ status: 'cancelled' });
    expectResponse(cancelled);
    expectResponse(await (await post(server, `/${created.id}/cancel`)).json());
    expectEvents(await events(await resumed));
  });

  it('streams a background create to the spec, queued event included', async () => {
    const server = await serve(turns[0]![1]);
    const list = await events(await post(server, '', body(PREVIEW, { background: true, stream: true })));
    expect(list.map((event) => event.name)).toContain('response.queued');
    expectEvents(list);
  });
});
