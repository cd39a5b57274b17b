import { z } from 'zod';
import { ProtocolError } from './errors.js';
import {
  createBodyFields,
  type FirstTurn,
  type NextTurn,
  type ScreenshotOutputType,
  type TurnOptions,
} from './requests.js';
import { commonFields, nextTurnInput, taskMessage } from './turns.js';

/** Lightcone's computer tool; the newer API also accepts OpenAI's name for it. */
export const ComputerToolSchema = z.looseObject({
  type: z.enum(['computer_use', 'computer_use_preview']),
  display_width: z.number().int().positive(),
  display_height: z.number().int().positive(),
  environment: z.string().min(1),
});

/** A function tool, as the newest examples offer `done`. */
export const FunctionToolSchema = z.looseObject({
  type: z.literal('function'),
  name: z.string().min(1),
  description: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
});

export const ToolSchema = z.discriminatedUnion('type', [ComputerToolSchema, FunctionToolSchema]);
export type Tool = z.infer<typeof ToolSchema>;

/**
 * The `done` function the newest official examples offer: the model calls it with a summary when the
 * task is complete, an explicit success ending (see doneCall).
 */
export const DONE_TOOL = {
  type: 'function' as const,
  name: 'done',
  description: 'Call this when the task is complete.',
  parameters: {
    type: 'object',
    properties: { message: { type: 'string', description: 'Summary of what was accomplished.' } },
  },
};

/** Lightcone's own options of a request. */
export interface LightconeOptions {
  /** Offer the `done` function tool (default true, as the newest examples). */
  doneTool?: boolean;
  /** The screenshot output type (default `input_image`, as every official example sends). */
  screenshotOutput?: ScreenshotOutputType;
}

/** POST /v1/responses on Lightcone. `model` and `input` are required here (the SDK marks all optional). */
export const CreateBodySchema = z.looseObject({
  ...createBodyFields,
  tools: z.array(ToolSchema).optional(),
});
export type CreateBody = z.infer<typeof CreateBodySchema>;

export const DEFAULT_ENVIRONMENT = 'desktop';

/** The first request of a run: the task and the first screenshot. */
export function buildFirstTurn(turn: FirstTurn & LightconeOptions): CreateBody {
  return validate({
    ...commonFields(turn),
    input: [taskMessage(turn.task, turn.screenshot)],
    tools: tools(turn),
  });
}

/**
 * A later request: a computer_call_output per call (`output: {type: "input_image", image_url, detail:
 * "auto"}` unless told otherwise), any function_call_output, the tools again, and `previous_response_id`
 * when chaining.
 */
export function buildNextTurn(turn: NextTurn & LightconeOptions): CreateBody {
  return validate({
    ...commonFields(turn),
    ...(turn.previousResponseId ? { previous_response_id: turn.previousResponseId } : {}),
    input: nextTurnInput(turn, turn.screenshotOutput ?? 'input_image'),
    tools: tools(turn),
  });
}

function tools(turn: TurnOptions & LightconeOptions): Tool[] {
  const computer: Tool = {
    type: 'computer_use',
    display_width: turn.display.width,
    display_height: turn.display.height,
    environment: turn.environment ?? DEFAULT_ENVIRONMENT,
  };
  return turn.doneTool === false ? [computer] : [computer, DONE_TOOL];
}

/** Throws ProtocolError naming the field when the parameters make a body Lightcone would refuse. */
function validate(body: Record<string, unknown>): CreateBody {
  const result = CreateBodySchema.safeParse(body);
  if (!result.success) throw ProtocolError.fromZod('the Lightcone create body', result.error, body);
  return result.data;
}
