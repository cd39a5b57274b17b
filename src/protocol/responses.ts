import { z } from 'zod';
import type { ParsedAction } from './actions.js';
import { ProtocolError } from './errors.js';
import {
  type ComputerCallItem,
  type FunctionCallItem,
  type OutputItem,
  OutputItemSchema,
  type SafetyCheck,
  toWireItem,
} from './items.js';
import { fromLightconeAction } from './lightcone-actions.js';
import { fromOpenAIAction } from './openai-actions.js';
import { wireInt } from './wire.js';

export const ResponseStatusSchema = z.enum([
  'queued',
  'in_progress',
  'completed',
  'failed',
  'incomplete',
  'cancelled',
]);
export type ResponseStatus = z.infer<typeof ResponseStatusSchema>;

export const UsageSchema = z.looseObject({
  input_tokens: wireInt.nullish(),
  output_tokens: wireInt.nullish(),
  total_tokens: wireInt.nullish(),
});

export const ResponseErrorSchema = z.looseObject({
  code: z.union([z.string(), z.number()]).nullish(),
  message: z.string().nullish(),
});

/**
 * A response of either provider (Lightcone's older schema adds `computer_id` and `viewport`). Only `id`
 * is required; `status` is any string (see normalizeStatus); every field not named here is kept.
 */
export const ResponseSchema = z.looseObject({
  id: z.string(),
  object: z.string().nullish(),
  /** Lightcone: a string; OpenAI: Unix seconds. */
  created_at: z.union([z.string(), z.number()]).nullish(),
  model: z.string().nullish(),
  status: z.string().nullish(),
  output: z.array(OutputItemSchema).nullish(),
  usage: UsageSchema.nullish(),
  error: ResponseErrorSchema.nullish(),
  incomplete_details: z.looseObject({ reason: z.string().nullish() }).nullish(),
  previous_response_id: z.string().nullish(),
  computer_id: z.string().nullish(),
  viewport: z
    .looseObject({ environment: z.string().nullish(), width: wireInt.nullish(), height: wireInt.nullish() })
    .nullish(),
});
export type ResponseObject = z.infer<typeof ResponseSchema>;

/** A response body from the server; throws ProtocolError naming the first malformed field. */
export function parseResponse(json: unknown): ResponseObject {
  const result = ResponseSchema.safeParse(json);
  if (!result.success) throw ProtocolError.fromZod('the response', result.error, json);
  return result.data;
}

/** A known status with one spelling of cancelled ("canceled" too); undefined for anything else. */
export function normalizeStatus(status: unknown): ResponseStatus | undefined {
  if (typeof status !== 'string') return undefined;
  const lower = status.trim().toLowerCase();
  const spelled = lower === 'canceled' ? 'cancelled' : lower;
  const result = ResponseStatusSchema.safeParse(spelled);
  return result.success ? result.data : undefined;
}

/**
 * The response will not change any more: completed, failed, incomplete or cancelled (either spelling,
 * any case). Narrows away undefined and null.
 */
export function isTerminalStatus(status: unknown): status is string {
  const normalized = normalizeStatus(status);
  return normalized !== undefined && normalized !== 'queued' && normalized !== 'in_progress';
}

/** Which action vocabulary a computer_call speaks. Lightcone's is a superset of OpenAI's shapes. */
export type Dialect = 'lightcone' | 'openai';

export interface ComputerCall {
  /** What the computer_call_output must answer (the item `id` when a server sent no `call_id`). */
  callId: string;
  /** The item's own id. */
  id: string | undefined;
  status: string | undefined;
  /** The call's actions in order: a GA `actions` batch, or the single `action`; each converted or not. */
  actions: ParsedAction[];
  /** To echo as `acknowledged_safety_checks` once approved. */
  pendingSafetyChecks: SafetyCheck[];
}

/** The computer_call item with its actions converted to canonical Actions. */
export function toComputerCall(item: ComputerCallItem, dialect: Dialect = 'lightcone'): ComputerCall {
  const convert = dialect === 'openai' ? fromOpenAIAction : fromLightconeAction;
  const wire = item.actions ?? (item.action ? [item.action] : []);
  const actions: ParsedAction[] =
    wire.length > 0
      ? wire.map(convert)
      : [
          {
            ok: false,
            error: {
              kind: 'invalid_action',
              type: undefined,
              field: 'action',
              message: 'the computer_call carries no "action" (nor "actions")',
            },
          },
        ];
  return {
    callId: item.call_id || (item.id as string),
    id: item.id ?? undefined,
    status: item.status ?? undefined,
    actions,
    pendingSafetyChecks: item.pending_safety_checks ?? [],
  };
}

type HasOutput = { output?: readonly OutputItem[] | null | undefined };

/** Every computer_call of the response, in output order. */
export function computerCalls(response: HasOutput, dialect: Dialect = 'lightcone'): ComputerCall[] {
  return (response.output ?? [])
    .filter((item): item is ComputerCallItem => item.type === 'computer_call')
    .map((item) => toComputerCall(item, dialect));
}

/**
 * The text of the response's messages: output_text parts (and refusals) joined, messages separated by a
 * blank line; undefined when there is none.
 */
export function finalText(response: HasOutput): string | undefined {
  const texts = (response.output ?? []).flatMap((item) => {
    if (item.type !== 'message') return [];
    const text = (item.content ?? [])
      .map((part) => {
        if (part.type === 'output_text' || part.type === 'text') return part.text ?? '';
        if (part.type === 'refusal' && typeof part.refusal === 'string') return part.refusal;
        return '';
      })
      .join('');
    return text === '' ? [] : [text];
  });
  return texts.length > 0 ? texts.join('\n\n') : undefined;
}

/** The reasoning summaries of the response, joined by blank lines; undefined when there is none. */
export function reasoningText(response: HasOutput): string | undefined {
  const texts = (response.output ?? []).flatMap((item) =>
    item.type === 'reasoning' ? (item.summary ?? []).flatMap((part) => (part.text ? [part.text] : [])) : [],
  );
  return texts.length > 0 ? texts.join('\n\n') : undefined;
}

/** The output items as they go back in a stateless request's input (unknown items as they came). */
export function replayItems(response: HasOutput): Record<string, unknown>[] {
  return (response.output ?? []).map(toWireItem);
}

/**
 * A function_call named `done` (the tool the newest Lightcone examples offer) ends the task; its
 * `message` argument is the summary. Undefined for any other function.
 */
export function doneCall(item: FunctionCallItem): { result: string | undefined } | undefined {
  if (item.name !== 'done') return undefined;
  let args: unknown;
  try {
    args = JSON.parse(item.arguments || '{}');
  } catch {
    // Arguments that are not JSON: the text itself is the best summary there is.
    return { result: item.arguments?.trim() || undefined };
  }
  const record = (typeof args === 'object' && args !== null ? args : {}) as Record<string, unknown>;
  const text = [record.message, record.result, record.text, record.summary].find(
    (value): value is string => typeof value === 'string' && value.trim() !== '',
  );
  return { result: text };
}
