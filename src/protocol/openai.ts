import { z } from 'zod';
import { ProtocolError } from './errors.js';
import { createBodyFields, type FirstTurn, type NextTurn } from './requests.js';
import { commonFields, nextTurnInput, taskMessage } from './turns.js';

export const EnvironmentSchema = z.enum(['windows', 'mac', 'linux', 'ubuntu', 'browser']);

/** The preview tool (model computer-use-preview): one `action` per computer_call. */
export const PreviewToolSchema = z.looseObject({
  type: z.literal('computer_use_preview'),
  display_width: z.number().int().positive(),
  display_height: z.number().int().positive(),
  environment: EnvironmentSchema,
});

/** The GA tool: no size or environment; its computer_calls carry an `actions` batch. */
export const ComputerToolSchema = z.looseObject({ type: z.literal('computer') });

export const ToolSchema = z.discriminatedUnion('type', [PreviewToolSchema, ComputerToolSchema]);
export type Tool = z.infer<typeof ToolSchema>;

/** POST /v1/responses on OpenAI, the fields deskhand uses (others are kept). */
export const CreateBodySchema = z.looseObject({
  ...createBodyFields,
  /** The spec's minimum. */
  max_output_tokens: z.number().int().min(16).optional(),
  tools: z.array(ToolSchema).optional(),
  truncation: z.enum(['auto', 'disabled']).optional(),
  /** Only background responses can be cancelled. */
  background: z.boolean().optional(),
  store: z.boolean().optional(),
  reasoning: z
    .looseObject({
      effort: z.string().nullish(),
      summary: z.enum(['auto', 'concise', 'detailed']).nullish(),
    })
    .optional(),
  include: z.array(z.string()).optional(),
  parallel_tool_calls: z.boolean().optional(),
});
export type CreateBody = z.infer<typeof CreateBodySchema>;

export interface OpenAIOptions {
  /**
   * `computer_use_preview` (default, with `truncation: "auto"`, which that model requires; the current
   * spec marks `truncation` deprecated but accepts it) or GA `computer` (no truncation sent).
   */
  tool?: 'computer_use_preview' | 'computer';
  truncation?: 'auto' | 'disabled';
  /** Needed to cancel the response later. */
  background?: boolean;
  /** `false` for stateless runs (then replay items, and include "reasoning.encrypted_content"). */
  store?: boolean;
  reasoningSummary?: 'auto' | 'concise' | 'detailed';
  include?: string[];
}

export const DEFAULT_ENVIRONMENT = 'linux';

/**
 * The computer tool a model takes: `computer-use-preview` models the preview tool, every newer model
 * the GA `computer` tool (batched actions).
 */
export function toolForModel(model: string): 'computer_use_preview' | 'computer' {
  return /computer-use-preview/i.test(model) ? 'computer_use_preview' : 'computer';
}

/** Reasoning summaries to ask for: the preview model knows only `concise`; newer ones take `auto`. */
export function reasoningSummaryFor(tool: 'computer_use_preview' | 'computer'): 'concise' | 'auto' {
  return tool === 'computer_use_preview' ? 'concise' : 'auto';
}

/** The first request of a run: the task and the first screenshot. */
export function buildFirstTurn(turn: FirstTurn & OpenAIOptions): CreateBody {
  return validate({ ...fields(turn), input: [taskMessage(turn.task, turn.screenshot)] });
}

/**
 * A later request: a computer_call_output per call with `output.type: "computer_screenshot"` (the
 * openapi ComputerScreenshotImage) and any acknowledged safety checks; `previous_response_id` when
 * chaining, or the replayed items for a stateless request.
 */
export function buildNextTurn(turn: NextTurn & OpenAIOptions): CreateBody {
  return validate({
    ...fields(turn),
    ...(turn.previousResponseId ? { previous_response_id: turn.previousResponseId } : {}),
    input: nextTurnInput(turn, 'computer_screenshot'),
  });
}

function fields(turn: (FirstTurn | NextTurn) & OpenAIOptions): Record<string, unknown> {
  const preview = (turn.tool ?? 'computer_use_preview') === 'computer_use_preview';
  const tool: Tool = preview
    ? {
        type: 'computer_use_preview',
        display_width: turn.display.width,
        display_height: turn.display.height,
        environment: (turn.environment ?? DEFAULT_ENVIRONMENT) as z.infer<typeof EnvironmentSchema>,
      }
    : { type: 'computer' };
  const optional = {
    truncation: turn.truncation ?? (preview ? 'auto' : undefined),
    background: turn.background,
    store: turn.store,
    reasoning: turn.reasoningSummary ? { summary: turn.reasoningSummary } : undefined,
    include: turn.include,
  };
  return {
    ...commonFields(turn),
    tools: [tool],
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
  };
}

/** Throws ProtocolError naming the field when the parameters make a body OpenAI would refuse. */
function validate(body: Record<string, unknown>): CreateBody {
  const result = CreateBodySchema.safeParse(body);
  if (!result.success) throw ProtocolError.fromZod('the OpenAI create body', result.error, body);
  return result.data;
}
