import { describe, expect, it } from 'vitest';
import {
  computerCalls,
  finalText,
  InputItemSchema,
  isTerminalStatus,
  lightcone,
  normalizeStatus,
  openai,
  parseResponse,
  ProtocolError,
  reasoningText,
  replayItems,
} from '../../src/protocol/index.js';

const png = 'data:image/png;base64,iVBORw0KGgo=';
const display = { width: 1280, height: 720 };

describe('Lightcone turns', () => {
  it('builds the first turn as PROTOCOL.md describes', () => {
    expect(
      lightcone.buildFirstTurn({
        model: 'tzafon.northstar-cua-fast',
        task: 'Open the menu',
        screenshot: png,
        display,
        doneTool: false,
      }),
    ).toEqual({
      model: 'tzafon.northstar-cua-fast',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Open the menu' },
            { type: 'input_image', image_url: png, detail: 'auto' },
          ],
        },
      ],
      tools: [{ type: 'computer_use', display_width: 1280, display_height: 720, environment: 'desktop' }],
    });
  });

  it('offers the done function tool as the newest official examples do, unless told not to', () => {
    const body = lightcone.buildFirstTurn({ model: 'm', task: 't', screenshot: png, display });
    expect(body.tools).toEqual([
      { type: 'computer_use', display_width: 1280, display_height: 720, environment: 'desktop' },
      lightcone.DONE_TOOL,
    ]);
    expect(lightcone.DONE_TOOL).toMatchObject({ type: 'function', name: 'done' });
  });

  it('sends computer_screenshot outputs when told to, without detail', () => {
    const body = lightcone.buildNextTurn({
      model: 'm',
      display,
      outputs: [{ callId: 'call_1', screenshot: png }],
      screenshotOutput: 'computer_screenshot',
    });
    expect(body.input[0]).toEqual({
      type: 'computer_call_output',
      call_id: 'call_1',
      output: { type: 'computer_screenshot', image_url: png },
    });
  });

  it('answers a function call other than done with a function_call_output', () => {
    const body = lightcone.buildNextTurn({
      model: 'm',
      display,
      outputs: [],
      functionOutputs: [{ callId: 'fc_1', output: 'no such function' }],
    });
    expect(body.input).toEqual([
      { type: 'function_call_output', call_id: 'fc_1', output: 'no such function' },
    ]);
  });

  it('answers calls with input_image screenshots (detail auto), chained, tools sent again', () => {
    const body = lightcone.buildNextTurn({
      model: 'm',
      display,
      stream: true,
      maxOutputTokens: 800,
      previousResponseId: 'resp_1',
      outputs: [{ callId: 'call_1', screenshot: png }],
      messages: ['unknown action type "teleport"'],
      doneTool: false,
    });
    expect(body).toEqual({
      model: 'm',
      stream: true,
      max_output_tokens: 800,
      previous_response_id: 'resp_1',
      input: [
        {
          type: 'computer_call_output',
          call_id: 'call_1',
          output: { type: 'input_image', image_url: png, detail: 'auto' },
        },
        { role: 'user', content: [{ type: 'input_text', text: 'unknown action type "teleport"' }] },
      ],
      tools: [{ type: 'computer_use', display_width: 1280, display_height: 720, environment: 'desktop' }],
    });
  });

  it('refuses parameters that make a body the server would refuse, naming the field', () => {
    const bad = (run: () => unknown, field: string) => {
      expect(run).toThrow(ProtocolError);
      expect(run).toThrow(`"${field}"`);
    };
    bad(
      () => lightcone.buildFirstTurn({ model: 'm', task: 't', screenshot: 'iVBORw0KGgo=', display }),
      'input[0].content[1].image_url',
    );
    bad(
      () =>
        lightcone.buildFirstTurn({
          model: 'm',
          task: 't',
          screenshot: png,
          display: { width: 0, height: 1 },
        }),
      'tools[0].display_width',
    );
    bad(
      () => lightcone.buildNextTurn({ model: 'm', display, outputs: [{ callId: '', screenshot: png }] }),
      'input[0].call_id',
    );
  });
});

describe('OpenAI turns', () => {
  it('builds the first turn for computer-use-preview with truncation auto', () => {
    const body = openai.buildFirstTurn({
      model: 'computer-use-preview',
      task: 'Open the menu',
      screenshot: png,
      display,
      background: true,
      reasoningSummary: 'concise',
    });
    expect(body).toMatchObject({
      model: 'computer-use-preview',
      tools: [
        { type: 'computer_use_preview', display_width: 1280, display_height: 720, environment: 'linux' },
      ],
      truncation: 'auto',
      background: true,
      reasoning: { summary: 'concise' },
    });
  });

  it('answers calls with computer_screenshot and acknowledges safety checks', () => {
    const check = { id: 'cu_sc_1', code: 'malicious_instructions', message: 'careful' };
    const body = openai.buildNextTurn({
      model: 'computer-use-preview',
      display,
      previousResponseId: 'resp_1',
      outputs: [{ callId: 'call_1', screenshot: png, acknowledgedSafetyChecks: [check] }],
    });
    expect(body.previous_response_id).toBe('resp_1');
    expect(body.input).toEqual([
      {
        type: 'computer_call_output',
        call_id: 'call_1',
        output: { type: 'computer_screenshot', image_url: png },
        acknowledged_safety_checks: [check],
      },
    ]);
  });

  it('uses the GA computer tool when asked, and replays items when stateless', () => {
    const earlier = parseResponse({
      id: 'resp_1',
      output: [
        { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'abc' },
        { type: 'web_search_call', id: 'ws_1', status: 'completed' },
        { type: 'computer_call', id: 'cu_1', call_id: 'call_1', actions: [{ type: 'screenshot' }] },
      ],
    });
    const first = { role: 'user', content: [{ type: 'input_text', text: 'task' }] };
    const body = openai.buildNextTurn({
      model: 'gpt-5.4',
      display,
      tool: 'computer',
      store: false,
      include: ['reasoning.encrypted_content'],
      replay: [first, ...replayItems(earlier)],
      outputs: [{ callId: 'call_1', screenshot: png }],
    });
    expect(body.tools).toEqual([{ type: 'computer' }]);
    expect(body.truncation).toBeUndefined();
    expect(body.previous_response_id).toBeUndefined();
    expect(body.store).toBe(false);
    expect(body.input.map((item) => (item as { type?: string }).type)).toEqual([
      undefined,
      'reasoning',
      'web_search_call',
      'computer_call',
      'computer_call_output',
    ]);
    expect(body.input[2]).toEqual({ type: 'web_search_call', id: 'ws_1', status: 'completed' });
  });
});

describe('input items', () => {
  it('accepts a message without type and rejects a call output without screenshot, naming the field', () => {
    expect(InputItemSchema.parse({ role: 'user', content: 'hi' })).toEqual({ role: 'user', content: 'hi' });
    const result = InputItemSchema.safeParse({
      type: 'computer_call_output',
      call_id: 'c',
      output: { type: 'input_image' },
    });
    expect(result.error?.issues[0]?.path).toEqual(['output', 'image_url']);
  });
});

describe('reading a response', () => {
  const response = parseResponse({
    id: 'resp_2',
    status: 'completed',
    output: [
      { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Find the menu.' }] },
      {
        type: 'computer_call',
        id: 'cu_1',
        call_id: 'call_1',
        actions: [
          { type: 'click', button: 'left', x: 10, y: 20 },
          { type: 'teleport' },
          { type: 'type', text: 'hi' },
        ],
        pending_safety_checks: [{ id: 'sc_1', code: 'irrelevant_domain', message: null }],
      },
      { type: 'computer_call', id: 'cu_2', action: { type: 'triple_click', x: 1, y: 2 } },
      { type: 'computer_call', call_id: 'call_3' },
      {
        type: 'message',
        content: [
          { type: 'output_text', text: 'Done' },
          { type: 'output_text', text: '.' },
        ],
      },
      { type: 'message', content: [{ type: 'refusal', refusal: 'I cannot.' }] },
    ],
  });

  it('flattens each call in order, keeping call ids and safety checks', () => {
    const calls = computerCalls(response);
    expect(calls.map((call) => call.callId)).toEqual(['call_1', 'cu_2', 'call_3']);
    expect(calls[0]?.actions.map((a) => (a.ok ? a.action.type : a.error.kind))).toEqual([
      'click',
      'unknown_action',
      'type',
    ]);
    expect(calls[0]?.pendingSafetyChecks).toEqual([{ id: 'sc_1', code: 'irrelevant_domain', message: null }]);
    expect(calls[1]?.actions[0]).toMatchObject({ ok: true, action: { type: 'click', count: 3 } });
    expect(calls[2]?.actions).toEqual([
      { ok: false, error: expect.objectContaining({ kind: 'invalid_action', field: 'action' }) },
    ]);
  });

  it('converts per dialect: OpenAI has no triple click', () => {
    expect(computerCalls(response, 'openai')[1]?.actions[0]).toMatchObject({
      ok: false,
      error: { kind: 'unknown_action', type: 'triple_click' },
    });
  });

  it('reads the final and the reasoning text', () => {
    expect(finalText(response)).toBe('Done.\n\nI cannot.');
    expect(reasoningText(response)).toBe('Find the menu.');
    expect(finalText({ output: [] })).toBeUndefined();
    expect(reasoningText({})).toBeUndefined();
  });

  it('parses idempotently, unknown items included', () => {
    const withUnknown = { id: 'r', output: [{ type: 'image_generation_call', id: 'ig_1' }] };
    const once = parseResponse(withUnknown);
    expect(once.output).toEqual([{ type: 'unknown', raw: { type: 'image_generation_call', id: 'ig_1' } }]);
    expect(parseResponse(JSON.parse(JSON.stringify(once)))).toEqual(once);
    expect(replayItems(once)).toEqual(withUnknown.output);
  });

  it('normalizes statuses, both spellings of cancelled', () => {
    expect(normalizeStatus('canceled')).toBe('cancelled');
    expect(normalizeStatus('CANCELLED')).toBe('cancelled');
    expect(normalizeStatus('status')).toBeUndefined();
    expect(normalizeStatus(undefined)).toBeUndefined();
    for (const status of ['completed', 'failed', 'incomplete', 'cancelled', 'canceled']) {
      expect(isTerminalStatus(status)).toBe(true);
    }
    for (const status of ['queued', 'in_progress', 'status', null, undefined]) {
      expect(isTerminalStatus(status)).toBe(false);
    }
  });
});
