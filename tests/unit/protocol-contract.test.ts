import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  computerCalls,
  finalText,
  isTerminalStatus,
  lightcone,
  normalizeStatus,
  OpenAIActionSchema,
  fromOpenAIAction,
  parseResponse,
  parseStreamEvent,
  ProtocolError,
  reasoningText,
  STREAM_EVENT_TYPES,
} from '../../src/protocol/index.js';

/** Example bodies copied from the public references (see `_source` in each file). */
function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

type Named = { name: string; body: Record<string, unknown> };
const spec = fixture<{ responses: Named[]; events: Named[]; stream: { name: string; text: string } }>(
  'openai-examples.json',
);
const seeds = fixture<{
  lightconeResponse000: Record<string, unknown>;
  openaiCancel001: Record<string, unknown>;
}>('reference-examples.json');

/** The ProtocolError a call throws (fails the test if it throws nothing or something else). */
function protocolError(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return error as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

describe('Lightcone reference examples (000, 002)', () => {
  const example = seeds.lightconeResponse000;

  it('accepts the ResponsesResponse example and keeps every field', () => {
    const response = parseResponse(example);
    expect(response.id).toBe('id');
    expect(response.created_at).toBe('created_at');
    expect(response.computer_id).toBe('computer_id');
    expect(response.viewport).toEqual({ environment: 'environment', height: 0, width: 0 });
    expect(response.usage).toEqual({ input_tokens: 0, output_tokens: 0, total_tokens: 0 });
    // Not named by the schema, kept anyway.
    expect(response.max_output_tokens).toBe(0);
    expect(response.temperature).toBe(0);
    // The placeholder status is no status deskhand knows.
    expect(normalizeStatus(response.status)).toBeUndefined();
    expect(response.output?.[0]).toMatchObject({ type: 'reasoning', call_id: 'call_id', role: 'role' });
    expect(reasoningText(response)).toBe('text');
  });

  it('reads the example item as the computer_call its action describes', () => {
    const [item] = example.output as Record<string, unknown>[];
    const call = { ...item, type: 'computer_call' };
    const [parsed] = computerCalls(parseResponse({ ...example, output: [call] }));
    expect(parsed?.callId).toBe('call_id');
    // The example's placeholders (`"button": "button"`, `"keys": ["string"]`) are a problem to tell the
    // model, not a throw.
    expect(parsed?.actions).toEqual([
      {
        ok: false,
        error: expect.objectContaining({ kind: 'invalid_action', type: 'click', field: 'button' }),
      },
    ]);
    const action = { ...(item?.action as object), button: 'left', keys: ['Shift'] };
    const [fixed] = computerCalls(parseResponse({ ...example, output: [{ ...call, action }] }));
    expect(fixed?.actions).toEqual([
      { ok: true, action: { type: 'click', x: 0, y: 0, button: 'left', count: 1, keys: ['shift'] } },
    ]);
  });

  it('reads the example as a message item too (002 documents content on every item)', () => {
    const output = example.output as Record<string, unknown>[];
    const message = { ...output[0], type: 'message', content: [{ type: 'output_text', text: 'done' }] };
    expect(finalText(parseResponse({ ...example, output: [message] }))).toBe('done');
  });

  it('accepts a create body with every parameter 002 documents', () => {
    const body = {
      model: 'tzafon.northstar-cua-fast',
      instructions: 'You operate a Linux desktop.',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Open the settings' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=' },
          ],
        },
        {
          type: 'computer_call_output',
          call_id: 'call_1',
          output: { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=' },
        },
      ],
      previous_response_id: 'resp_1',
      stream: true,
      max_output_tokens: 1024,
      temperature: 0,
      top_p: 1,
      tools: [{ type: 'computer_use', display_width: 1280, display_height: 720, environment: 'desktop' }],
    };
    expect(lightcone.CreateBodySchema.parse(body)).toEqual(body);
  });

  it('rejects malformed create bodies naming the field', () => {
    const body = { model: 'm', input: [], tools: [{ type: 'computer_use', display_width: '1280' }] };
    const result = lightcone.CreateBodySchema.safeParse(body);
    expect(result.success).toBe(false);
    const fields = result.error?.issues.map((issue) => issue.path.join('.'));
    expect(fields).toEqual(
      expect.arrayContaining(['tools.0.display_width', 'tools.0.display_height', 'tools.0.environment']),
    );
  });
});

describe('OpenAI reference examples (001, openai-openapi.yaml)', () => {
  it('accepts the cancel example of 001', () => {
    const response = parseResponse(seeds.openaiCancel001);
    expect(response.created_at).toBe(1741476777);
    expect(isTerminalStatus(response.status)).toBe(true);
    expect(finalText(response)).toMatch(/^The image depicts a scenic landscape/);
    expect(response.usage?.total_tokens).toBe(380);
    expect(response.parallel_tool_calls).toBe(true);
  });

  it.each(spec.responses)('accepts the $name example', ({ body }) => {
    const response = parseResponse(body);
    expect(response.id).toBe(body.id);
    expect(normalizeStatus(response.status)).toBeDefined();
    // Items of other tools are kept whole as unknown items.
    for (const [index, item] of (response.output ?? []).entries()) {
      const sent = (body.output as { type: string }[])[index];
      if (item.type === 'unknown') expect(item.raw).toEqual(sent);
      else expect(item.type).toBe(sent?.type);
    }
  });

  it('reads the function call of the Functions example', () => {
    const body = spec.responses.find((r) => r.name.includes('Functions'))?.body;
    const response = parseResponse(body);
    expect(response.output?.[0]).toMatchObject({ type: 'function_call', name: 'get_current_weather' });
  });

  it('reads a cancelled response (cancel example) as terminal', () => {
    const body = spec.responses.find((r) => r.name.includes('cancel'))?.body;
    expect(normalizeStatus(parseResponse(body).status)).toBe('cancelled');
  });

  it.each(spec.events)('parses the $name example without throwing', ({ body }) => {
    const event = parseStreamEvent(body);
    const known = (STREAM_EVENT_TYPES as string[]).includes(body.type as string);
    expect(event.type).toBe(known ? body.type : 'unknown');
    if (event.type === 'unknown') expect(event.raw).toEqual(body);
  });

  it('has a spec example for every event type it knows, except the cancelled ones OpenAI never sends', () => {
    const covered = new Set(spec.events.map((e) => e.body.type));
    const missing = STREAM_EVENT_TYPES.filter((type) => !covered.has(type));
    expect(missing).toEqual(['response.cancelled', 'response.canceled']);
  });

  it('parses every event of the streaming example, in order', () => {
    const types = spec.stream.text
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => parseStreamEvent(JSON.parse(line.slice('data: '.length))).type);
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
  });

  it("accepts the spec's coordinate and drag path examples as OpenAI actions", () => {
    // CoordParam: "e.g. `{ x: 100, y: 200 }`"; DragParam: path [{ x: 100, y: 200 }, { x: 200, y: 300 }].
    const path = [
      { x: 100, y: 200 },
      { x: 200, y: 300 },
    ];
    expect(OpenAIActionSchema.parse({ type: 'drag', path })).toEqual({ type: 'drag', path });
    expect(fromOpenAIAction({ type: 'drag', path, keys: null })).toEqual({
      ok: true,
      action: { type: 'drag', path, button: 'left', keys: undefined },
    });
    expect(fromOpenAIAction({ type: 'move', x: 100, y: 200 })).toMatchObject({ ok: true });
  });
});

describe('malformed responses are rejected naming the field', () => {
  const valid = seeds.openaiCancel001;
  const computerCall = {
    type: 'computer_call',
    id: 'cu_1',
    call_id: 'call_1',
    status: 'completed',
    action: { type: 'click', button: 'left', x: 10, y: 20 },
    pending_safety_checks: [],
  };

  it.each([
    ['no id', { ...valid, id: undefined }, 'id'],
    ['a numeric id', { ...valid, id: 7 }, 'id'],
    ['output not a list', { ...valid, output: { type: 'message' } }, 'output'],
    ['a non-numeric token count', { ...valid, usage: { input_tokens: 'many' } }, 'usage.input_tokens'],
    ['created_at a boolean', { ...valid, created_at: true }, 'created_at'],
    [
      'message text not a string',
      { ...valid, output: [{ type: 'message', content: [{ type: 'output_text', text: 5 }] }] },
      'output[0].content[0].text',
    ],
    [
      'a computer_call without call_id or id',
      { ...valid, output: [{ ...computerCall, id: undefined, call_id: undefined }] },
      'output[0].call_id',
    ],
    [
      'an action that is not an object',
      { ...valid, output: [{ ...computerCall, action: 'click' }] },
      'output[0].action',
    ],
    [
      'a safety check without id',
      {
        ...valid,
        output: [{ ...computerCall, pending_safety_checks: [{ code: 'malicious_instructions' }] }],
      },
      'output[0].pending_safety_checks[0].id',
    ],
    [
      'a function_call without name',
      { ...valid, output: [{ type: 'function_call', call_id: 'c', arguments: '{}' }] },
      'output[0].name',
    ],
    ['an item that is not an object', { ...valid, output: ['message'] }, 'output[0]'],
  ])('%s', (_, body, field) => {
    const error = protocolError(() => parseResponse(body));
    expect(error.field).toBe(field);
    expect(error.message).toContain(`"${field}"`);
    expect(error.data).toBeDefined();
  });

  it('rejects what is not an object at all', () => {
    expect(protocolError(() => parseResponse('resp_1')).message).toMatch(/the response is malformed/);
  });

  it('converts numbers sent as strings', () => {
    const response = parseResponse({
      ...valid,
      usage: { input_tokens: '12', output_tokens: 3, total_tokens: '15' },
    });
    expect(response.usage).toEqual({ input_tokens: 12, output_tokens: 3, total_tokens: 15 });
  });

  it('truncates the offending data kept on the error', () => {
    const huge = { ...valid, id: 1, blob: 'x'.repeat(100_000) };
    const error = protocolError(() => parseResponse(huge));
    expect(error.data?.length).toBeLessThan(700);
    expect(error.data).toMatch(/more characters\)$/);
  });
});
