import { z } from 'zod';
import { ProtocolError } from './errors.js';
import { ContentPartSchema, OutputItemSchema } from './items.js';
import { ResponseSchema } from './responses.js';
import { isRecord, unionByType, wireInt } from './wire.js';

/*
 * The OpenAI Responses event stream, which Lightcone follows. Each event keeps the fields it was sent
 * with. `sequence_number` is optional: OpenAI's own examples (the streaming one, response.failed) omit
 * it. Required is what a consumer acts on: the item and its index, the text, the response.
 */

const sequence = { sequence_number: wireInt.nullish() };

/** Events that carry the whole response. */
const lifecycle = <T extends string>(type: T) =>
  z.looseObject({ type: z.literal(type), response: ResponseSchema, ...sequence });

const item = <T extends string>(type: T) =>
  z.looseObject({ type: z.literal(type), output_index: wireInt, item: OutputItemSchema, ...sequence });

const at = { item_id: z.string().nullish(), output_index: wireInt, ...sequence };

const contentPart = <T extends string>(type: T) =>
  z.looseObject({ type: z.literal(type), ...at, content_index: wireInt.nullish(), part: ContentPartSchema });

const text = <T extends string, F extends 'delta' | 'text'>(type: T, field: F) =>
  z.looseObject({
    type: z.literal(type),
    ...at,
    content_index: wireInt.nullish(),
    ...({ [field]: z.string() } as Record<F, z.ZodString>),
  });

const summaryPart = <T extends string>(type: T) =>
  z.looseObject({ type: z.literal(type), ...at, summary_index: wireInt.nullish(), part: ContentPartSchema });

const summaryText = <T extends string, F extends 'delta' | 'text'>(type: T, field: F) =>
  z.looseObject({
    type: z.literal(type),
    ...at,
    summary_index: wireInt.nullish(),
    ...({ [field]: z.string() } as Record<F, z.ZodString>),
  });

/** `error`: OpenAI documents a flat `{code, message, param}`; a nested `{error: {...}}` is seen too. */
const ErrorEventSchema = z
  .looseObject({
    type: z.literal('error'),
    code: z.union([z.string(), z.number()]).nullish(),
    message: z.string().nullish(),
    param: z.string().nullish(),
    error: z
      .looseObject({
        code: z.union([z.string(), z.number()]).nullish(),
        message: z.string().nullish(),
        type: z.string().nullish(),
      })
      .nullish(),
    ...sequence,
  })
  .refine((event) => typeof event.message === 'string' || typeof event.error?.message === 'string', {
    path: ['message'],
    message: 'an error event needs a "message" (or "error.message")',
  });

const KNOWN_EVENTS = {
  'response.created': lifecycle('response.created'),
  'response.in_progress': lifecycle('response.in_progress'),
  'response.queued': lifecycle('response.queued'),
  'response.completed': lifecycle('response.completed'),
  'response.failed': lifecycle('response.failed'),
  'response.incomplete': lifecycle('response.incomplete'),
  'response.cancelled': lifecycle('response.cancelled'),
  'response.canceled': lifecycle('response.canceled'),
  'response.output_item.added': item('response.output_item.added'),
  'response.output_item.done': item('response.output_item.done'),
  'response.content_part.added': contentPart('response.content_part.added'),
  'response.content_part.done': contentPart('response.content_part.done'),
  'response.output_text.delta': text('response.output_text.delta', 'delta'),
  'response.output_text.done': text('response.output_text.done', 'text'),
  'response.reasoning_summary_part.added': summaryPart('response.reasoning_summary_part.added'),
  'response.reasoning_summary_part.done': summaryPart('response.reasoning_summary_part.done'),
  'response.reasoning_summary_text.delta': summaryText('response.reasoning_summary_text.delta', 'delta'),
  'response.reasoning_summary_text.done': summaryText('response.reasoning_summary_text.done', 'text'),
  error: ErrorEventSchema,
};

export const STREAM_EVENT_TYPES = Object.keys(KNOWN_EVENTS) as (keyof typeof KNOWN_EVENTS)[];

/** An event of a type deskhand does not know (audio, web search, ...): ignore it, log it at debug. */
export const UnknownEventSchema = z.object({
  type: z.literal('unknown'),
  raw: z.record(z.string(), z.unknown()),
});

export const StreamEventSchema = unionByType(
  KNOWN_EVENTS,
  z.record(z.string(), z.unknown()).transform((raw) => ({ type: 'unknown' as const, raw })),
);
export type StreamEvent = z.infer<typeof StreamEventSchema>;
export type StreamEventType = StreamEvent['type'];
export type UnknownEvent = z.infer<typeof UnknownEventSchema>;
/** The event of one known type, e.g. `EventOf<'response.output_item.done'>`. */
export type EventOf<T extends StreamEventType> = Extract<StreamEvent, { type: T }>;

/** The events after which the response will not change: completed, failed, incomplete, cancelled. */
export type TerminalEvent = EventOf<
  | 'response.completed'
  | 'response.failed'
  | 'response.incomplete'
  | 'response.cancelled'
  | 'response.canceled'
>;

const TERMINAL: readonly string[] = [
  'response.completed',
  'response.failed',
  'response.incomplete',
  'response.cancelled',
  'response.canceled',
];

export function isTerminalEvent(event: StreamEvent): event is TerminalEvent {
  return TERMINAL.includes(event.type);
}

/**
 * One event from the `data:` of a server-sent event, already JSON-decoded. A known type is validated;
 * an unknown type becomes `{ type: 'unknown', raw }` and never throws. Throws ProtocolError (naming the
 * field) for a known type with a malformed body, and for data that is no event at all (not an object,
 * no string `type`).
 */
export function parseStreamEvent(json: unknown): StreamEvent {
  if (!isRecord(json) || typeof json.type !== 'string') {
    throw new ProtocolError(
      'a stream event must be a JSON object with a string "type"; got something else',
      json,
      { field: 'type', issues: [{ field: 'type', message: 'expected an object with a string "type"' }] },
    );
  }
  const result = StreamEventSchema.safeParse(json);
  if (!result.success) throw ProtocolError.fromZod(`the ${json.type} event`, result.error, json);
  return result.data;
}
