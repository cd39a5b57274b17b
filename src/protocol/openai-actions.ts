import { z } from 'zod';
import { type Action, type MouseButton, type ParsedAction, parsedAction, PointSchema } from './actions.js';
import { ActionError } from './errors.js';
import { parseLightconeAction } from './lightcone-actions.js';
import { isRecord } from './wire.js';

/** Keys held during a pointer action; OpenAI sends `null` or `[]` when none are. */
const heldKeys = z.array(z.string()).nullish();
const coordinate = { x: z.number(), y: z.number() };

export const OpenAIButtonSchema = z.enum(['left', 'right', 'wheel', 'back', 'forward']);

/** OpenAI's ComputerAction (openapi `ComputerAction`), as deskhand writes it. */
export const OpenAIActionSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('click'), button: OpenAIButtonSchema, ...coordinate, keys: heldKeys }),
  z.looseObject({ type: z.literal('double_click'), ...coordinate, keys: heldKeys }),
  z.looseObject({ type: z.literal('drag'), path: z.array(PointSchema), keys: heldKeys }),
  z.looseObject({ type: z.literal('keypress'), keys: z.array(z.string()) }),
  z.looseObject({ type: z.literal('move'), ...coordinate, keys: heldKeys }),
  z.looseObject({ type: z.literal('screenshot') }),
  z.looseObject({
    type: z.literal('scroll'),
    ...coordinate,
    scroll_x: z.number(),
    scroll_y: z.number(),
    keys: heldKeys,
  }),
  z.looseObject({ type: z.literal('type'), text: z.string() }),
  z.looseObject({ type: z.literal('wait') }),
]);
export type OpenAIAction = z.infer<typeof OpenAIActionSchema>;
export type OpenAIActionType = OpenAIAction['type'];

const OPENAI_TYPES: readonly string[] = OpenAIActionSchema.options.map((option) => option.shape.type.value);

/**
 * One OpenAI computer action as a canonical Action, or the problem that stops it. The vocabulary is
 * OpenAI's nine types (a Lightcone-only type such as triple_click is `unknown_action` here); fields are
 * read as tolerantly as Lightcone's: quoted numbers, `button: "wheel"` = middle, key names in any
 * dialect, `wait` = 1 s. Never throws for any input.
 */
export function fromOpenAIAction(input: unknown): ParsedAction {
  return parsedAction(input, (raw) => {
    const type = isRecord(raw) ? raw.type : undefined;
    if (typeof type === 'string' && !OPENAI_TYPES.includes(type.toLowerCase())) {
      throw new ActionError(
        `unknown action type ${JSON.stringify(type)}: expected one of ${OPENAI_TYPES.join(', ')}`,
        'type',
        'unknown_action',
      );
    }
    return parseLightconeAction(raw);
  });
}

const OPENAI_BUTTONS: Record<MouseButton, z.infer<typeof OpenAIButtonSchema>> = {
  left: 'left',
  right: 'right',
  middle: 'wheel',
  back: 'back',
  forward: 'forward',
};

/**
 * The canonical action as OpenAI sends it. Throws ActionError (field `type`) for what OpenAI cannot say:
 * triple clicks, double clicks or drags with another button than left, mouse_down/up, key_down/up,
 * navigate, point_and_type and end; and (field `x`) for a scroll without a position. A wait loses its
 * duration: OpenAI's has none.
 */
export function toOpenAIAction(action: Action): OpenAIAction {
  const keys =
    action.type !== 'keypress' && 'keys' in action && action.keys?.length ? action.keys : undefined;
  const withKeys = keys ? { keys } : {};
  switch (action.type) {
    case 'click':
      if (action.count === 1) {
        return {
          type: 'click',
          button: OPENAI_BUTTONS[action.button],
          x: action.x,
          y: action.y,
          ...withKeys,
        };
      }
      if (action.count === 2 && action.button === 'left') {
        return { type: 'double_click', x: action.x, y: action.y, ...withKeys };
      }
      throw unsayable(`a ${action.count === 2 ? 'double' : 'triple'} click with the ${action.button} button`);
    case 'move':
      return { type: 'move', x: action.x, y: action.y, ...withKeys };
    case 'drag':
      if (action.button !== 'left') throw unsayable(`a drag with the ${action.button} button`);
      return { type: 'drag', path: action.path, ...withKeys };
    case 'scroll':
      if (action.x === undefined || action.y === undefined) {
        throw new ActionError('OpenAI scroll actions need a position ("x" and "y")', 'x');
      }
      return {
        type: 'scroll',
        x: action.x,
        y: action.y,
        scroll_x: action.scrollX,
        scroll_y: action.scrollY,
        ...withKeys,
      };
    case 'type':
      return { type: 'type', text: action.text };
    case 'keypress':
      return { type: 'keypress', keys: action.keys };
    case 'wait':
      return { type: 'wait' };
    case 'screenshot':
      return { type: 'screenshot' };
    default:
      throw unsayable(`a ${action.type} action`);
  }
}

function unsayable(what: string): ActionError {
  return new ActionError(
    `OpenAI's computer actions cannot express ${what}: expected one of ${OPENAI_TYPES.join(', ')}`,
    'type',
    'unknown_action',
  );
}
