import { z } from 'zod';
import {
  type Action,
  type MouseButton,
  type ParsedAction,
  parsedAction,
  type Point,
  PointSchema,
} from './actions.js';
import { ActionError } from './errors.js';
import { KeyNameError, normalizeKeys } from './keys.js';

export { ActionError } from './errors.js';

type Raw = Record<string, unknown>;

/** A wait without a duration (OpenAI's never has one) lasts this long. */
export const DEFAULT_WAIT_MS = 1000;

/** Every action type of both Lightcone generations: the older SDK's seventeen, then the newer ones. */
export const LightconeActionTypeSchema = z.enum([
  'click',
  'double_click',
  'triple_click',
  'right_click',
  'type',
  'key',
  'keypress',
  'key_down',
  'key_up',
  'scroll',
  'hscroll',
  'navigate',
  'drag',
  'wait',
  'terminate',
  'answer',
  'done',
  'move',
  'mouse_down',
  'mouse_up',
  'point_and_type',
  'screenshot',
]);
export type LightconeActionType = z.infer<typeof LightconeActionTypeSchema>;
const LIGHTCONE_TYPES: readonly string[] = LightconeActionTypeSchema.options;

/**
 * A Lightcone action as deskhand writes it (`toLightconeAction`, the local test server). Reading goes
 * through `parseLightconeAction`, which is more tolerant (quoted numbers, key spellings, aliases).
 */
export const LightconeActionSchema = z.looseObject({
  type: LightconeActionTypeSchema,
  x: z.number().optional(),
  y: z.number().optional(),
  end_x: z.number().optional(),
  end_y: z.number().optional(),
  path: z.array(PointSchema).optional(),
  scroll_x: z.number().optional(),
  scroll_y: z.number().optional(),
  keys: z.array(z.string()).optional(),
  button: z.string().optional(),
  text: z.string().optional(),
  url: z.string().optional(),
  ms: z.number().optional(),
  status: z.enum(['success', 'failure']).optional(),
  result: z.string().optional(),
});
export type LightconeAction = z.infer<typeof LightconeActionSchema>;

/** Numbers may arrive as strings ("10"); anything else non-numeric is an error naming the field. */
function number(raw: Raw, field: string): number {
  const value = raw[field];
  const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof parsed !== 'number' || !Number.isFinite(parsed)) {
    throw new ActionError(
      value === undefined
        ? `${raw.type} action needs "${field}" (a number)`
        : `${raw.type} action: "${field}" must be a number, got ${JSON.stringify(value)}`,
      field,
    );
  }
  return parsed;
}

function optionalNumber(raw: Raw, field: string): number | undefined {
  return raw[field] === undefined || raw[field] === null ? undefined : number(raw, field);
}

function text(raw: Raw, field: string): string {
  const value = raw[field];
  if (typeof value !== 'string') {
    throw new ActionError(
      `${raw.type} action needs "${field}" (a string), got ${JSON.stringify(value)}`,
      field,
    );
  }
  return value;
}

function keyList(raw: Raw, field = 'keys'): string[] {
  try {
    return normalizeKeys(raw[field]);
  } catch (error) {
    if (error instanceof KeyNameError) throw new ActionError(`${raw.type} action: ${error.message}`, field);
    throw new ActionError(
      `${raw.type} action: "${field}": ${error instanceof Error ? error.message : String(error)}`,
      field,
    );
  }
}

const BUTTON_NAMES: Record<string, MouseButton> = {
  left: 'left',
  right: 'right',
  middle: 'middle',
  wheel: 'middle',
  back: 'back',
  forward: 'forward',
};

function button(raw: Raw): MouseButton {
  const value = raw.button ?? 'left';
  const name = typeof value === 'string' ? BUTTON_NAMES[value.toLowerCase()] : undefined;
  if (name) return name;
  throw new ActionError(
    `${raw.type} action: "button" must be left, right, middle (wheel), back or forward, got ${JSON.stringify(value)}`,
    'button',
  );
}

function point(raw: Raw, xField = 'x', yField = 'y'): Point {
  return { x: number(raw, xField), y: number(raw, yField) };
}

function heldKeys(raw: Raw): string[] | undefined {
  // OpenAI sends `keys: []` on pointer actions that hold nothing.
  if (raw.keys === undefined || raw.keys === null || (Array.isArray(raw.keys) && raw.keys.length === 0))
    return undefined;
  return keyList(raw);
}

/**
 * Converts one action in the Lightcone shape (both API generations; OpenAI's action objects are the
 * same shape for the names they share) to the canonical Action.
 */
export function parseLightconeAction(input: unknown): Action {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ActionError(`an action must be a JSON object, got ${JSON.stringify(input)}`, 'type');
  }
  const raw = input as Raw;
  const type = typeof raw.type === 'string' ? raw.type.toLowerCase() : raw.type;
  if (typeof type !== 'string' || !LIGHTCONE_TYPES.includes(type)) {
    throw new ActionError(
      `unknown action type ${JSON.stringify(raw.type)}: expected one of ${LIGHTCONE_TYPES.join(', ')}`,
      'type',
      typeof type === 'string' ? 'unknown_action' : 'invalid_action',
    );
  }
  const r: Raw = { ...raw, type };
  switch (type) {
    case 'click':
      return { type: 'click', ...point(r), button: button(r), count: 1, keys: heldKeys(r) };
    case 'double_click':
      return { type: 'click', ...point(r), button: button(r), count: 2, keys: heldKeys(r) };
    case 'triple_click':
      return { type: 'click', ...point(r), button: button(r), count: 3, keys: heldKeys(r) };
    case 'right_click':
      return { type: 'click', ...point(r), button: 'right', count: 1, keys: heldKeys(r) };
    case 'move':
      return { type: 'move', ...point(r), keys: heldKeys(r) };
    case 'mouse_down':
    case 'mouse_up':
      return { type, x: optionalNumber(r, 'x'), y: optionalNumber(r, 'y'), button: button(r) };
    case 'drag': {
      if (Array.isArray(r.path)) {
        if (r.path.length < 2) throw new ActionError('drag action: "path" needs at least two points', 'path');
        const path = r.path.map((p, i) => {
          if (typeof p !== 'object' || p === null) {
            throw new ActionError(`drag action: "path[${i}]" must be an object {x, y}`, `path[${i}]`);
          }
          const step = { ...(p as Raw), type: 'drag' };
          try {
            return point(step);
          } catch (error) {
            const field = (error as ActionError).field;
            throw new ActionError(
              (error as Error).message.replace(`"${field}"`, `"path[${i}].${field}"`),
              `path[${i}].${field}`,
            );
          }
        });
        return { type: 'drag', path, button: button(r), keys: heldKeys(r) };
      }
      return {
        type: 'drag',
        path: [point(r), point(r, 'end_x', 'end_y')],
        button: button(r),
        keys: heldKeys(r),
      };
    }
    case 'scroll':
      return {
        type: 'scroll',
        x: optionalNumber(r, 'x'),
        y: optionalNumber(r, 'y'),
        scrollX: optionalNumber(r, 'scroll_x') ?? 0,
        scrollY: optionalNumber(r, 'scroll_y') ?? 0,
        keys: heldKeys(r),
      };
    case 'hscroll': {
      // hscroll scrolls sideways; an older harness put the amount in scroll_y, so take it when scroll_x is absent.
      const amount = optionalNumber(r, 'scroll_x') ?? optionalNumber(r, 'scroll_y');
      if (amount === undefined)
        throw new ActionError('hscroll action needs "scroll_x" (a number)', 'scroll_x');
      return {
        type: 'scroll',
        x: optionalNumber(r, 'x'),
        y: optionalNumber(r, 'y'),
        scrollX: amount,
        scrollY: 0,
      };
    }
    case 'type':
      // The official harness clicks at x, y first when a `type` carries them.
      if (r.x !== undefined && r.x !== null && r.y !== undefined && r.y !== null)
        return { type: 'point_and_type', ...point(r), text: text(r, 'text') };
      return { type: 'type', text: text(r, 'text') };
    case 'key':
    case 'keypress':
      return { type: 'keypress', keys: keyList(r) };
    case 'key_down':
    case 'key_up':
      return { type, keys: keyList(r) };
    case 'wait': {
      const ms = optionalNumber(r, 'ms') ?? optionalNumber(r, 'duration_ms');
      const seconds = optionalNumber(r, 'seconds') ?? optionalNumber(r, 'duration');
      const wait = ms ?? (seconds !== undefined ? seconds * 1000 : DEFAULT_WAIT_MS);
      if (wait < 0)
        throw new ActionError(
          'wait action: the duration must not be negative',
          ms !== undefined ? 'ms' : 'seconds',
        );
      return { type: 'wait', ms: wait };
    }
    case 'navigate':
      return { type: 'navigate', url: text(r, 'url') };
    case 'point_and_type':
      return { type: 'point_and_type', ...point(r), text: text(r, 'text') };
    case 'screenshot':
      return { type: 'screenshot' };
    case 'terminate': {
      const status = typeof r.status === 'string' ? r.status.toLowerCase() : 'success';
      if (status !== 'success' && status !== 'failure') {
        throw new ActionError(
          `terminate action: "status" must be success or failure, got ${JSON.stringify(r.status)}`,
          'status',
        );
      }
      return { type: 'end', outcome: status, result: endingText(r, ['result', 'text']) };
    }
    default:
      // answer, done: the official harness takes the text from result, text or status, in that order.
      return { type: 'end', outcome: 'success', result: endingText(r, ['result', 'text', 'status']) };
  }
}

/** The first of the fields that holds a non-empty string (else the first string, even empty). */
function endingText(raw: Raw, fields: string[]): string | undefined {
  const strings = fields.map((field) => raw[field]).filter((value) => typeof value === 'string');
  return strings.find((value) => value.trim() !== '') ?? strings[0];
}

/**
 * One Lightcone action (either generation) as a canonical Action, or the problem that stops it: an
 * unknown type is `{ ok: false, error: { kind: 'unknown_action', type, field: 'type', message } }`.
 * Never throws for any input.
 */
export function fromLightconeAction(input: unknown): ParsedAction {
  return parsedAction(input, parseLightconeAction);
}

/**
 * The canonical action in the Lightcone shape: the older vocabulary where it has a name for it
 * (double_click, triple_click, drag with end_x/end_y, terminate), the newer one otherwise (move,
 * mouse_down/up, drag with a path of more than two points, point_and_type, screenshot). A wait of
 * other than the default 1 s carries `ms`, which Lightcone does not document.
 */
export function toLightconeAction(action: Action): LightconeAction {
  switch (action.type) {
    case 'click': {
      const type = action.count === 1 ? 'click' : action.count === 2 ? 'double_click' : 'triple_click';
      return defined({ type, x: action.x, y: action.y, button: action.button, keys: held(action.keys) });
    }
    case 'move':
      return defined({ type: 'move', x: action.x, y: action.y, keys: held(action.keys) });
    case 'mouse_down':
    case 'mouse_up':
      return defined({ type: action.type, x: action.x, y: action.y, button: action.button });
    case 'drag': {
      const [from, to] = action.path;
      const ends =
        action.path.length === 2 && from && to
          ? { x: from.x, y: from.y, end_x: to.x, end_y: to.y }
          : { path: action.path };
      return defined({ type: 'drag', ...ends, button: action.button, keys: held(action.keys) });
    }
    case 'scroll':
      return defined({
        type: 'scroll',
        x: action.x,
        y: action.y,
        scroll_x: action.scrollX,
        scroll_y: action.scrollY,
        keys: held(action.keys),
      });
    case 'type':
      return { type: 'type', text: action.text };
    case 'keypress':
    case 'key_down':
    case 'key_up':
      return { type: action.type, keys: action.keys };
    case 'wait':
      return action.ms === DEFAULT_WAIT_MS ? { type: 'wait' } : { type: 'wait', ms: action.ms };
    case 'navigate':
      return { type: 'navigate', url: action.url };
    case 'point_and_type':
      return { type: 'point_and_type', x: action.x, y: action.y, text: action.text };
    case 'screenshot':
      return { type: 'screenshot' };
    case 'end':
      return defined({ type: 'terminate', status: action.outcome, result: action.result });
  }
}

function held(keys: string[] | undefined): string[] | undefined {
  return keys && keys.length > 0 ? keys : undefined;
}

/** The object without its undefined fields, so what goes on the wire is plain JSON. */
function defined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
