import { z } from 'zod';
import { ProtocolError } from './errors.js';
import { createBodyFields, type FirstTurn, type NextTurn, type TurnOptions } from './requests.js';
import { commonFields, nextTurnInput, taskMessage } from './turns.js';

/** Lightcone's computer tool; the newer API also accepts OpenAI's name for it. */
export const ToolSchema = z.looseObject({
  type: z.enum(['computer_use', 'computer_use_preview']),
  display_width: z.number().int().positive(),
  display_height: z.number().int().positive(),
  environment: z.string().min(1),
});
export type Tool = z.infer<typeof ToolSchema>;

/** POST /v1/responses on Lightcone. `model` and `input` are required here (the SDK marks all optional). */
export const CreateBodySchema = z.looseObject({
  ...createBodyFields,
  tools: z.array(ToolSchema).optional(),
});
export type CreateBody = z.infer<typeof CreateBodySchema>;

export const DEFAULT_ENVIRONMENT = 'desktop';

/** The first request of a run: the task and the first screenshot. */
export function buildFirstTurn(turn: FirstTurn): CreateBody {
  return validate({
    ...commonFields(turn),
    input: [taskMessage(turn.task, turn.screenshot)],
    tools: tools(turn),
  });
}

/**
 * A later request: a computer_call_output per call (`output.type: "input_image"`), the tool again, and
 * `previous_response_id` when chaining.
 */
export function buildNextTurn(turn: NextTurn): CreateBody {
  return validate({
    ...commonFields(turn),
    ...(turn.previousResponseId ? { previous_response_id: turn.previousResponseId } : {}),
    input: nextTurnInput(turn, 'input_image'),
    tools: tools(turn),
  });
}

function tools(turn: TurnOptions): Tool[] {
  return [
    {
      type: 'computer_use',
      display_width: turn.display.width,
      display_height: turn.display.height,
      environment: turn.environment ?? DEFAULT_ENVIRONMENT,
    },
  ];
}

/** Throws ProtocolError naming the field when the parameters make a body Lightcone would refuse. */
function validate(body: Record<string, unknown>): CreateBody {
  const result = CreateBodySchema.safeParse(body);
  if (!result.success) throw ProtocolError.fromZod('the Lightcone create body', result.error, body);
  return result.data;
}
