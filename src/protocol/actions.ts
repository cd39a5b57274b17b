import { z } from 'zod';
import { ActionError } from './errors.js';
import { isRecord } from './wire.js';

/**
 * The one canonical Action every dialect converts to. Coordinates are in whatever space the producer
 * speaks (model space from the wire, screen pixels after calibration); `mapPoints` moves between them.
 */
export const PointSchema = z.object({ x: z.number(), y: z.number() });
export type Point = z.infer<typeof PointSchema>;

export const MouseButtonSchema = z.enum(['left', 'middle', 'right', 'back', 'forward']);
export type MouseButton = z.infer<typeof MouseButtonSchema>;

const keys = z.array(z.string()).min(1);

export const ActionSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('click'),
    x: z.number(),
    y: z.number(),
    button: MouseButtonSchema,
    count: z.union([z.literal(1), z.literal(2), z.literal(3)]),
    /** Keys held during the click (OpenAI's `keys` on pointer actions). */
    keys: z.array(z.string()).optional(),
  }),
  z.object({
    type: z.literal('move'),
    x: z.number(),
    y: z.number(),
    /** Keys held during the move (OpenAI's `keys` on pointer actions). */
    keys: z.array(z.string()).optional(),
  }),
  z.object({
    type: z.literal('mouse_down'),
    x: z.number().optional(),
    y: z.number().optional(),
    button: MouseButtonSchema,
  }),
  z.object({
    type: z.literal('mouse_up'),
    x: z.number().optional(),
    y: z.number().optional(),
    button: MouseButtonSchema,
  }),
  z.object({
    type: z.literal('drag'),
    path: z.array(PointSchema).min(2),
    button: MouseButtonSchema,
    keys: z.array(z.string()).optional(),
  }),
  z.object({
    type: z.literal('scroll'),
    x: z.number().optional(),
    y: z.number().optional(),
    /** In the model's scroll unit; positive is right / down. */
    scrollX: z.number(),
    scrollY: z.number(),
    keys: z.array(z.string()).optional(),
  }),
  z.object({ type: z.literal('type'), text: z.string() }),
  z.object({ type: z.literal('keypress'), keys }),
  z.object({ type: z.literal('key_down'), keys }),
  z.object({ type: z.literal('key_up'), keys }),
  z.object({ type: z.literal('wait'), ms: z.number().min(0) }),
  z.object({ type: z.literal('navigate'), url: z.string().min(1) }),
  z.object({ type: z.literal('point_and_type'), x: z.number(), y: z.number(), text: z.string() }),
  z.object({ type: z.literal('screenshot') }),
  /** terminate / answer / done: the model says the task is over. */
  z.object({
    type: z.literal('end'),
    outcome: z.enum(['success', 'failure']),
    result: z.string().optional(),
  }),
]);
export type Action = z.infer<typeof ActionSchema>;
export type ActionType = Action['type'];

/**
 * Why a wire action cannot be run, in words the model can be told: `unknown_action` when its type is not
 * in the dialect's vocabulary, `invalid_action` when a field is missing or wrong; `field` names it.
 */
export interface ActionProblem {
  kind: 'unknown_action' | 'invalid_action';
  /** The action's `type` as sent, when it was a string. */
  type: string | undefined;
  field: string;
  message: string;
}

/** A wire action converted to the canonical Action, or the problem that stops it (never thrown). */
export type ParsedAction = { ok: true; action: Action } | { ok: false; error: ActionProblem };

/** The same action with every point passed through `map` (model space -> screen, or back). */
export function mapPoints(action: Action, map: (point: Point) => Point): Action {
  const at = <T extends { x?: number; y?: number }>(a: T): T => {
    if (a.x === undefined || a.y === undefined) return a;
    const { x, y } = map({ x: a.x, y: a.y });
    return { ...a, x, y };
  };
  switch (action.type) {
    case 'click':
    case 'move':
    case 'mouse_down':
    case 'mouse_up':
    case 'scroll':
    case 'point_and_type':
      return at(action);
    case 'drag':
      return { ...action, path: action.path.map(map) };
    default:
      return action;
  }
}

/** Every point an action touches, for checks and logs. */
export function pointsOf(action: Action): Point[] {
  if (action.type === 'drag') return action.path;
  if ('x' in action && action.x !== undefined && action.y !== undefined)
    return [{ x: action.x, y: action.y }];
  return [];
}

/** Runs a throwing dialect parser and turns its ActionError into a ParsedAction (other errors pass). */
export function parsedAction(input: unknown, parse: (input: unknown) => Action): ParsedAction {
  try {
    return { ok: true, action: parse(input) };
  } catch (error) {
    if (!(error instanceof ActionError)) throw error;
    const type = isRecord(input) && typeof input.type === 'string' ? input.type : undefined;
    return { ok: false, error: { kind: error.kind, type, field: error.field, message: error.message } };
  }
}
