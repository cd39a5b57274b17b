import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Action,
  ActionError,
  ActionSchema,
  fromLightconeAction,
  fromOpenAIAction,
  LightconeActionSchema,
  NAMED_KEYS,
  OpenAIActionSchema,
  type ParsedAction,
  toLightconeAction,
  toOpenAIAction,
} from '../../src/protocol/index.js';

function action(parsed: ParsedAction): Action {
  if (!parsed.ok) throw new Error(`expected an action, got ${parsed.error.message}`);
  return parsed.action;
}

describe('Lightcone actions to canonical', () => {
  it.each<[string, Record<string, unknown>, Partial<Action>]>([
    // The older schema's seventeen types.
    ['click', { type: 'click', x: 1, y: 2 }, { type: 'click', button: 'left', count: 1 }],
    ['double_click', { type: 'double_click', x: 1, y: 2 }, { type: 'click', count: 2 }],
    ['triple_click', { type: 'triple_click', x: 1, y: 2 }, { type: 'click', count: 3 }],
    ['right_click', { type: 'right_click', x: 1, y: 2 }, { type: 'click', button: 'right' }],
    ['type', { type: 'type', text: 'héllo' }, { type: 'type', text: 'héllo' }],
    ['key', { type: 'key', keys: ['CTRL+C'] }, { type: 'keypress', keys: ['ctrl', 'c'] }],
    ['keypress', { type: 'keypress', keys: 'Return' }, { type: 'keypress', keys: ['enter'] }],
    ['key_down', { type: 'key_down', keys: ['Shift_L'] }, { type: 'key_down', keys: ['shift'] }],
    ['key_up', { type: 'key_up', keys: ['shift'] }, { type: 'key_up', keys: ['shift'] }],
    ['scroll', { type: 'scroll', x: 5, y: 6, scroll_y: '-3' }, { type: 'scroll', scrollX: 0, scrollY: -3 }],
    ['hscroll', { type: 'hscroll', x: 5, y: 6, scroll_x: 4 }, { type: 'scroll', scrollX: 4, scrollY: 0 }],
    ['navigate', { type: 'navigate', url: 'https://example.com' }, { url: 'https://example.com' }],
    [
      'drag (end points)',
      { type: 'drag', x: 1, y: 2, end_x: 3, end_y: 4 },
      {
        path: [
          { x: 1, y: 2 },
          { x: 3, y: 4 },
        ],
      },
    ],
    ['wait', { type: 'wait' }, { type: 'wait', ms: 1000 }],
    [
      'terminate',
      { type: 'terminate', status: 'failure', result: 'no' },
      { type: 'end', outcome: 'failure' },
    ],
    ['answer', { type: 'answer', result: '42' }, { type: 'end', outcome: 'success', result: '42' }],
    ['done', { type: 'done', text: 'ok' }, { type: 'end', outcome: 'success', result: 'ok' }],
    // The newer schema.
    ['move', { type: 'move', x: '7', y: '8' }, { type: 'move', x: 7, y: 8 }],
    ['screenshot', { type: 'screenshot' }, { type: 'screenshot' }],
    [
      'drag (path)',
      {
        type: 'drag',
        path: [
          { x: 1, y: 2 },
          { x: 3, y: 4 },
          { x: '5', y: 6 },
        ],
      },
      {
        path: [
          { x: 1, y: 2 },
          { x: 3, y: 4 },
          { x: 5, y: 6 },
        ],
      },
    ],
    [
      'point_and_type',
      { type: 'point_and_type', x: 1, y: 2, text: 'a' },
      { type: 'point_and_type', text: 'a' },
    ],
    ['mouse_down', { type: 'mouse_down', button: 'right' }, { type: 'mouse_down', button: 'right' }],
    ['mouse_up', { type: 'mouse_up', x: 1, y: 2 }, { type: 'mouse_up', x: 1, y: 2, button: 'left' }],
  ])('%s', (_, wire, expected) => {
    const parsed = action(fromLightconeAction(wire));
    expect(parsed).toMatchObject(expected);
    expect(ActionSchema.safeParse(parsed).success).toBe(true);
  });

  it('reports an unknown type as unknown_action, with the type and the accepted names', () => {
    expect(fromLightconeAction({ type: 'teleport', x: 1 })).toEqual({
      ok: false,
      error: {
        kind: 'unknown_action',
        type: 'teleport',
        field: 'type',
        message: expect.stringMatching(/^unknown action type "teleport": expected one of click, /),
      },
    });
  });

  it('reports a malformed action as invalid_action naming the field', () => {
    expect(fromLightconeAction({ type: 'click', x: 'left', y: 2 })).toMatchObject({
      ok: false,
      error: { kind: 'invalid_action', type: 'click', field: 'x' },
    });
    expect(fromLightconeAction({ x: 1 })).toMatchObject({
      ok: false,
      error: { kind: 'invalid_action', type: undefined, field: 'type' },
    });
  });
});

describe('OpenAI actions to canonical', () => {
  it.each<[string, Record<string, unknown>, Partial<Action>]>([
    ['click', { type: 'click', button: 'wheel', x: 1, y: 2, keys: null }, { button: 'middle', count: 1 }],
    ['click back', { type: 'click', button: 'back', x: 1, y: 2 }, { button: 'back' }],
    ['click holding keys', { type: 'click', button: 'left', x: 1, y: 2, keys: ['CTRL'] }, { keys: ['ctrl'] }],
    [
      'double_click',
      { type: 'double_click', x: 1, y: 2, keys: [] },
      { count: 2, button: 'left', keys: undefined },
    ],
    [
      'drag',
      {
        type: 'drag',
        path: [
          { x: 1, y: 2 },
          { x: 3, y: 4 },
        ],
        keys: ['shift'],
      },
      { keys: ['shift'] },
    ],
    ['keypress', { type: 'keypress', keys: ['CTRL', 'L'] }, { type: 'keypress', keys: ['ctrl', 'l'] }],
    ['move', { type: 'move', x: 1, y: 2, keys: ['alt'] }, { type: 'move', keys: ['alt'] }],
    ['screenshot', { type: 'screenshot' }, { type: 'screenshot' }],
    [
      'scroll',
      { type: 'scroll', x: 1, y: 2, scroll_x: 0, scroll_y: 300 },
      { type: 'scroll', x: 1, y: 2, scrollX: 0, scrollY: 300 },
    ],
    ['type', { type: 'type', text: 'hi' }, { type: 'type', text: 'hi' }],
    ['wait (no duration: 1 s)', { type: 'wait' }, { type: 'wait', ms: 1000 }],
  ])('%s', (_, wire, expected) => {
    expect(action(fromOpenAIAction(wire))).toMatchObject(expected);
  });

  it('keeps to OpenAI vocabulary: a Lightcone-only type is unknown_action', () => {
    for (const type of ['triple_click', 'terminate', 'key_down', 'navigate']) {
      expect(fromOpenAIAction({ type, x: 1, y: 2 })).toMatchObject({
        ok: false,
        error: { kind: 'unknown_action', type, field: 'type' },
      });
    }
  });

  it('never throws, whatever the input', () => {
    const vocabulary = ['click', 'drag', 'scroll', 'keypress', 'wait', 'move', 'type', 'terminate', 'x'];
    const actionLike = fc
      .tuple(fc.constantFrom(...vocabulary), fc.dictionary(fc.string(), fc.jsonValue()))
      .map(([type, fields]) => ({ ...fields, type }));
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), actionLike), (input) => {
        for (const parsed of [fromOpenAIAction(input), fromLightconeAction(input)]) {
          if (parsed.ok) expect(ActionSchema.safeParse(parsed.action).success).toBe(true);
          else expect(parsed.error.message).not.toBe('');
        }
      }),
      { numRuns: 1000 },
    );
  });
});

// Canonical actions as the converters produce them: key names already canonical.
const key = fc.constantFrom(...NAMED_KEYS, 'a', 'z', '0', '/', ',', '+', 'é');
const keys = fc.array(key, { minLength: 1, maxLength: 3 });
const coord = fc.integer({ min: -100, max: 4000 });
const point = fc.record({ x: coord, y: coord });
const button = fc.constantFrom(
  'left' as const,
  'middle' as const,
  'right' as const,
  'back' as const,
  'forward' as const,
);

const anyAction: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    type: fc.constant('click' as const),
    x: coord,
    y: coord,
    button,
    count: fc.constantFrom(1 as const, 2 as const, 3 as const),
    keys: fc.option(keys, { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('move' as const),
    x: coord,
    y: coord,
    keys: fc.option(keys, { nil: undefined }),
  }),
  fc.record({
    type: fc.constantFrom('mouse_down' as const, 'mouse_up' as const),
    x: fc.option(coord, { nil: undefined }),
    y: fc.option(coord, { nil: undefined }),
    button,
  }),
  fc.record({
    type: fc.constant('drag' as const),
    path: fc.array(point, { minLength: 2, maxLength: 5 }),
    button,
    keys: fc.option(keys, { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('scroll' as const),
    x: coord,
    y: coord,
    scrollX: fc.integer({ min: -500, max: 500 }),
    scrollY: fc.integer({ min: -500, max: 500 }),
    keys: fc.option(keys, { nil: undefined }),
  }),
  fc.record({ type: fc.constant('type' as const), text: fc.string() }),
  fc.record({ type: fc.constantFrom('keypress' as const, 'key_down' as const, 'key_up' as const), keys }),
  fc.record({ type: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 60_000 }) }),
  fc.record({ type: fc.constant('navigate' as const), url: fc.webUrl() }),
  fc.record({ type: fc.constant('point_and_type' as const), x: coord, y: coord, text: fc.string() }),
  fc.record({ type: fc.constant('screenshot' as const) }),
  fc.record({
    type: fc.constant('end' as const),
    outcome: fc.constantFrom('success' as const, 'failure' as const),
    result: fc.option(fc.string(), { nil: undefined }),
  }),
);

/** What OpenAI can say: everything else makes toOpenAIAction throw. */
function sayableByOpenAI(a: Action): boolean {
  switch (a.type) {
    case 'click':
      return a.count === 1 || (a.count === 2 && a.button === 'left');
    case 'drag':
      return a.button === 'left';
    case 'wait':
      return a.ms === 1000;
    case 'move':
    case 'scroll':
    case 'type':
    case 'keypress':
    case 'screenshot':
      return true;
    default:
      return false;
  }
}

describe('canonical to wire and back', () => {
  it('Lightcone: every canonical action survives the round trip and matches the wire schema', () => {
    fc.assert(
      fc.property(anyAction, (a) => {
        const wire = toLightconeAction(a);
        expect(LightconeActionSchema.parse(wire)).toEqual(wire);
        expect(JSON.parse(JSON.stringify(wire))).toEqual(wire);
        expect(action(fromLightconeAction(wire))).toEqual(a);
      }),
      { numRuns: 1000 },
    );
  });

  it('OpenAI: every action it can say survives the round trip and matches the spec schema', () => {
    fc.assert(
      fc.property(anyAction.filter(sayableByOpenAI), (a) => {
        const wire = toOpenAIAction(a);
        expect(OpenAIActionSchema.parse(wire)).toEqual(wire);
        expect(action(fromOpenAIAction(wire))).toEqual(a);
      }),
      { numRuns: 1000 },
    );
  });

  it('OpenAI: what it cannot say is an ActionError on "type"', () => {
    fc.assert(
      fc.property(
        anyAction.filter((a) => !sayableByOpenAI(a) && a.type !== 'wait'),
        (a) => {
          expect(() => toOpenAIAction(a)).toThrow(ActionError);
        },
      ),
    );
    expect(toOpenAIAction({ type: 'wait', ms: 5000 })).toEqual({ type: 'wait' });
    expect(() => toOpenAIAction({ type: 'scroll', scrollX: 0, scrollY: 1 })).toThrow(/position/);
  });

  it('writes the names each dialect uses', () => {
    expect(toLightconeAction({ type: 'click', x: 1, y: 2, button: 'left', count: 3 })).toEqual({
      type: 'triple_click',
      x: 1,
      y: 2,
      button: 'left',
    });
    expect(toLightconeAction({ type: 'end', outcome: 'success', result: 'ok' })).toEqual({
      type: 'terminate',
      status: 'success',
      result: 'ok',
    });
    expect(toOpenAIAction({ type: 'click', x: 1, y: 2, button: 'middle', count: 1 })).toEqual({
      type: 'click',
      button: 'wheel',
      x: 1,
      y: 2,
    });
  });
});
