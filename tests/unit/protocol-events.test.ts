import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computerCalls,
  isTerminalEvent,
  parseStreamEvent,
  ProtocolError,
  STREAM_EVENT_TYPES,
  type StreamEvent,
  toComputerCall,
} from '../../src/protocol/index.js';

const response = { id: 'resp_1', object: 'response', created_at: 1, status: 'in_progress', output: [] };
const call = {
  type: 'computer_call',
  id: 'cu_1',
  call_id: 'call_1',
  status: 'completed',
  action: { type: 'click', button: 'left', x: 10, y: 20 },
  pending_safety_checks: [],
};
const at = { item_id: 'msg_1', output_index: 0 };

/** One well-formed event of every type deskhand knows. */
const EXAMPLES: Record<string, Record<string, unknown>> = {
  'response.created': { response },
  'response.in_progress': { response },
  'response.queued': { response: { id: 'resp_1', status: 'queued' } },
  'response.completed': { response: { ...response, status: 'completed', output: [call] } },
  'response.failed': {
    response: { ...response, status: 'failed', error: { code: 'server_error', message: 'x' } },
  },
  'response.incomplete': {
    response: { ...response, status: 'incomplete', incomplete_details: { reason: 'max' } },
  },
  'response.cancelled': { response: { ...response, status: 'cancelled' } },
  'response.canceled': { response: { ...response, status: 'canceled' } },
  'response.output_item.added': { output_index: 0, item: { ...call, status: 'in_progress' } },
  'response.output_item.done': { output_index: 0, item: call },
  'response.content_part.added': { ...at, content_index: 0, part: { type: 'output_text', text: '' } },
  'response.content_part.done': { ...at, content_index: 0, part: { type: 'output_text', text: 'Hi' } },
  'response.output_text.delta': { ...at, content_index: 0, delta: 'H' },
  'response.output_text.done': { ...at, content_index: 0, text: 'Hi' },
  'response.reasoning_summary_part.added': {
    ...at,
    summary_index: 0,
    part: { type: 'summary_text', text: '' },
  },
  'response.reasoning_summary_part.done': {
    ...at,
    summary_index: 0,
    part: { type: 'summary_text', text: 'ok' },
  },
  'response.reasoning_summary_text.delta': { ...at, summary_index: 0, delta: 'o' },
  'response.reasoning_summary_text.done': { ...at, summary_index: 0, text: 'ok' },
  error: { code: 'rate_limit_exceeded', message: 'slow down', param: null },
};

function protocolError(json: unknown): ProtocolError {
  try {
    parseStreamEvent(json);
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return error as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

describe('parseStreamEvent', () => {
  it('has an example here for every known type', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual([...STREAM_EVENT_TYPES].sort());
  });

  it.each(Object.entries(EXAMPLES))('parses %s and keeps its fields', (type, fields) => {
    const json = { type, ...fields, sequence_number: 4, extra: { kept: true } };
    const event = parseStreamEvent(json);
    expect(event.type).toBe(type);
    expect(event).toMatchObject({ sequence_number: 4, extra: { kept: true } });
  });

  it('gives the computer_call at response.output_item.done, ready to run', () => {
    const event = parseStreamEvent({
      type: 'response.output_item.done',
      ...EXAMPLES['response.output_item.done'],
    });
    if (event.type !== 'response.output_item.done' || event.item.type !== 'computer_call') throw new Error();
    expect(toComputerCall(event.item).actions).toEqual([
      { ok: true, action: { type: 'click', x: 10, y: 20, button: 'left', count: 1, keys: undefined } },
    ]);
  });

  it('carries the whole response on lifecycle events', () => {
    const event = parseStreamEvent({ type: 'response.completed', ...EXAMPLES['response.completed'] });
    if (event.type !== 'response.completed') throw new Error();
    expect(computerCalls(event.response)[0]?.callId).toBe('call_1');
    expect(isTerminalEvent(event)).toBe(true);
    expect(isTerminalEvent(parseStreamEvent({ type: 'response.created', response }))).toBe(false);
  });

  it('reads both spellings of cancelled as terminal', () => {
    for (const type of ['response.cancelled', 'response.canceled']) {
      expect(isTerminalEvent(parseStreamEvent({ type, ...EXAMPLES[type] }))).toBe(true);
    }
  });

  it('accepts numbers sent as strings and a missing sequence_number', () => {
    const event = parseStreamEvent({
      type: 'response.output_text.delta',
      item_id: 'msg_1',
      output_index: '2',
      content_index: '0',
      delta: 'x',
      sequence_number: '17',
    });
    expect(event).toMatchObject({ output_index: 2, content_index: 0, sequence_number: 17 });
    expect(
      parseStreamEvent({ type: 'response.output_text.delta', output_index: 0, delta: 'x' }),
    ).toMatchObject({
      delta: 'x',
    });
  });

  it('accepts the nested form of error events', () => {
    const event = parseStreamEvent({ type: 'error', error: { type: 'server_error', message: 'boom' } });
    expect(event).toMatchObject({ type: 'error', error: { message: 'boom' } });
  });

  it('keeps unknown types as { type: "unknown", raw } and never throws for them', () => {
    const raw = { type: 'response.audio.delta', delta: 123, sequence_number: 'not a number' };
    expect(parseStreamEvent(raw)).toEqual({ type: 'unknown', raw });
    expect(parseStreamEvent({ type: 'unknown' })).toEqual({ type: 'unknown', raw: { type: 'unknown' } });
  });

  it('keeps unknown item types inside known events', () => {
    const item = { type: 'web_search_call', id: 'ws_1', status: 'completed' };
    const event = parseStreamEvent({ type: 'response.output_item.done', output_index: 1, item });
    expect(event).toMatchObject({ item: { type: 'unknown', raw: item } });
  });

  it.each([
    ['response.output_item.done', { output_index: 0 }, 'item'],
    ['response.output_item.done', { output_index: 'first', item: call }, 'output_index'],
    [
      'response.output_item.done',
      { output_index: 0, item: { ...call, call_id: null, id: null } },
      'item.call_id',
    ],
    ['response.output_item.done', { output_index: 0, item: { ...call, actions: {} } }, 'item.actions'],
    [
      'response.output_item.added',
      { output_index: 0, item: { type: 'message', content: 'hi' } },
      'item.content',
    ],
    ['response.output_text.delta', { ...at, delta: 5 }, 'delta'],
    ['response.output_text.done', { ...at }, 'text'],
    ['response.reasoning_summary_text.done', { ...at, text: 'x', summary_index: 'a' }, 'summary_index'],
    ['response.content_part.done', { ...at, part: 'Hi' }, 'part'],
    ['response.completed', { response: { status: 'completed' } }, 'response.id'],
    ['response.created', {}, 'response'],
    [
      'response.failed',
      { response: { ...response, output: [{ type: 'function_call' }] } },
      'response.output[0].call_id',
    ],
    ['error', { code: 'x' }, 'message'],
    ['response.in_progress', { response, sequence_number: 'seven' }, 'sequence_number'],
  ])('throws ProtocolError for a malformed %s, naming %s', (type, fields, field) => {
    const error = protocolError({ type, ...fields });
    expect(error.field).toBe(field);
    expect(error.message).toContain(type);
    expect(error.message).toContain(`"${field}"`);
    expect(JSON.parse(error.data ?? '')).toMatchObject({ type });
  });

  it('throws ProtocolError for data that is no event', () => {
    for (const json of [null, 5, 'response.created', [], {}, { type: 7 }]) {
      expect(protocolError(json).field).toBe('type');
    }
  });

  it('never throws anything but ProtocolError, whatever the JSON', () => {
    const knownShaped = fc
      .tuple(fc.constantFrom(...STREAM_EVENT_TYPES), fc.dictionary(fc.string(), fc.jsonValue()))
      .map(([type, fields]) => ({ ...fields, type }));
    const nearlyValid = fc
      .tuple(fc.constantFrom(...Object.entries(EXAMPLES)), fc.string(), fc.jsonValue())
      .map(([[type, fields], key, value]) => ({ type, ...fields, [key]: value }));
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), knownShaped, nearlyValid), (json) => {
        try {
          const event: StreamEvent = parseStreamEvent(json);
          expect(typeof event.type).toBe('string');
        } catch (error) {
          if (!(error instanceof ProtocolError)) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
