import { z } from 'zod';
import { unionByType } from './wire.js';

/*
 * Output items of a response (and of `response.output_item.*` events), Lightcone and OpenAI alike.
 * Every object keeps the fields it was sent with. Required is only what deskhand acts on: a call id to
 * answer a call, a function's name. Item types deskhand does not know become `{ type: 'unknown', raw }`.
 */

/** A part of a message's content or of a reasoning summary: output_text, summary_text, refusal, ... */
export const ContentPartSchema = z.looseObject({
  type: z.string().nullish(),
  text: z.string().nullish(),
});
export type ContentPart = z.infer<typeof ContentPartSchema>;

export const SafetyCheckSchema = z.looseObject({
  id: z.string(),
  code: z.string().nullish(),
  message: z.string().nullish(),
});
export type SafetyCheck = z.infer<typeof SafetyCheckSchema>;

/**
 * An action object as the model sent it. Its fields are checked when it is converted to a canonical
 * Action, so that a bad action becomes a problem to tell the model, not a broken response.
 */
export const WireActionSchema = z.record(z.string(), z.unknown());

export const ReasoningItemSchema = z.looseObject({
  type: z.literal('reasoning'),
  id: z.string().nullish(),
  summary: z.array(ContentPartSchema).nullish(),
  status: z.string().nullish(),
});

export const MessageItemSchema = z.looseObject({
  type: z.literal('message'),
  id: z.string().nullish(),
  role: z.string().nullish(),
  status: z.string().nullish(),
  content: z.array(ContentPartSchema).nullish(),
});

/** `action` (Lightcone, computer_use_preview) or `actions` (OpenAI GA `computer`: a batch run in order). */
export const ComputerCallItemSchema = z
  .looseObject({
    type: z.literal('computer_call'),
    id: z.string().nullish(),
    call_id: z.string().nullish(),
    status: z.string().nullish(),
    action: WireActionSchema.nullish(),
    actions: z.array(WireActionSchema).nullish(),
    pending_safety_checks: z.array(SafetyCheckSchema).nullish(),
  })
  .refine((item) => Boolean(item.call_id || item.id), {
    path: ['call_id'],
    message: 'a computer_call needs a "call_id" (or at least an "id") to be answered',
  });

export const FunctionCallItemSchema = z.looseObject({
  type: z.literal('function_call'),
  id: z.string().nullish(),
  call_id: z.string(),
  name: z.string(),
  arguments: z.string().nullish(),
  status: z.string().nullish(),
});

/** The screenshot answering a computer_call: Lightcone reads `input_image`, OpenAI `computer_screenshot`. */
export const ScreenshotOutputSchema = z.looseObject({
  type: z.enum(['input_image', 'computer_screenshot']),
  image_url: z.string().nullish(),
  file_id: z.string().nullish(),
  detail: z.string().nullish(),
});

export const ComputerCallOutputItemSchema = z.looseObject({
  type: z.literal('computer_call_output'),
  id: z.string().nullish(),
  call_id: z.string().min(1),
  output: ScreenshotOutputSchema,
  acknowledged_safety_checks: z.array(SafetyCheckSchema).nullish(),
  status: z.string().nullish(),
});

/** An item of a type deskhand does not know, kept whole in `raw` (e.g. web_search_call). */
export const UnknownItemSchema = z.object({
  type: z.literal('unknown'),
  raw: z.record(z.string(), z.unknown()),
});

const wrapUnknown = z.record(z.string(), z.unknown()).transform((raw) => ({ type: 'unknown' as const, raw }));

/** Any output item. Parsing is idempotent: an already parsed `{ type: 'unknown', raw }` stays as it is. */
export const OutputItemSchema = unionByType(
  {
    reasoning: ReasoningItemSchema,
    message: MessageItemSchema,
    computer_call: ComputerCallItemSchema,
    function_call: FunctionCallItemSchema,
    computer_call_output: ComputerCallOutputItemSchema,
    unknown: z.union([UnknownItemSchema, wrapUnknown]),
  },
  wrapUnknown,
);

export type ReasoningItem = z.infer<typeof ReasoningItemSchema>;
export type MessageItem = z.infer<typeof MessageItemSchema>;
export type ComputerCallItem = z.infer<typeof ComputerCallItemSchema>;
export type FunctionCallItem = z.infer<typeof FunctionCallItemSchema>;
export type ComputerCallOutputItem = z.infer<typeof ComputerCallOutputItemSchema>;
export type UnknownItem = z.infer<typeof UnknownItemSchema>;
export type OutputItem = z.infer<typeof OutputItemSchema>;

/** The item as it goes back on the wire (stateless replay, logs): an unknown item is its `raw` again. */
export function toWireItem(item: OutputItem): Record<string, unknown> {
  return item.type === 'unknown' ? item.raw : item;
}
