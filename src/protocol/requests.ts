import { z } from 'zod';
import { ComputerCallOutputItemSchema, type SafetyCheck } from './items.js';
import { unionByType } from './wire.js';

/*
 * What deskhand sends, shared by both providers: the input items of a create body and the parameters
 * of the turn builders (lightcone.ts, openai.ts).
 */

/** A screenshot as a data URL (what deskhand sends) or an http(s) URL. */
export const ImageUrlSchema = z
  .string()
  .regex(
    /^(data:image\/[\w.+-]+;base64,|https?:\/\/)/,
    'expected a data:image/...;base64, URL or an http(s) URL',
  );

export const InputTextSchema = z.looseObject({ type: z.literal('input_text'), text: z.string() });

export const InputImageSchema = z.looseObject({
  type: z.literal('input_image'),
  image_url: ImageUrlSchema,
  detail: z.enum(['auto', 'low', 'high', 'original']).optional(),
});

/** A message of the conversation; `content` parts other than text and image are kept as sent. */
export const InputMessageSchema = z.looseObject({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'system', 'developer', 'assistant']),
  content: z.union([
    z.string(),
    z.array(
      unionByType(
        { input_text: InputTextSchema, input_image: InputImageSchema },
        z.looseObject({ type: z.string() }),
      ),
    ),
  ]),
});

/** computer_call_output as sent: the screenshot must be there (a fresh one for every call). */
export const CallOutputInputSchema = ComputerCallOutputItemSchema.extend({
  output: ComputerCallOutputItemSchema.shape.output.extend({ image_url: ImageUrlSchema }),
});

/** An output item of an earlier response resent in stateless mode, kept as it came. */
export const ReplayedItemSchema = z.looseObject({ type: z.string() });

/** An input item: a message (`type` may be absent), a call output, or a replayed output item. */
export const InputItemSchema = unionByType(
  { message: InputMessageSchema, computer_call_output: CallOutputInputSchema },
  ReplayedItemSchema,
  (value) => value.type ?? ('role' in value ? 'message' : undefined),
);

/** The fields of POST /v1/responses both dialects share; each adds its own tools (and OpenAI more). */
export const createBodyFields = {
  model: z.string().min(1),
  input: z.array(InputItemSchema),
  instructions: z.string().optional(),
  previous_response_id: z.string().min(1).optional(),
  stream: z.boolean().optional(),
  max_output_tokens: z.number().int().positive().optional(),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
};
export type InputItem = z.infer<typeof InputItemSchema>;
export type InputMessage = z.infer<typeof InputMessageSchema>;
export type CallOutputInput = z.infer<typeof CallOutputInputSchema>;

/** The size of the screenshots the model sees (the declared display). */
export interface Display {
  width: number;
  height: number;
}

/** What every create body carries, whichever the turn. */
export interface TurnOptions {
  model: string;
  /** The size of the screenshots sent. */
  display: Display;
  instructions?: string;
  stream?: boolean;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  /** The tool's `environment`: Lightcone "desktop" by default, OpenAI "linux". */
  environment?: string;
}

export interface FirstTurn extends TurnOptions {
  task: string;
  /** The first screenshot, as a data URL. */
  screenshot: string;
}

/** The answer to one computer_call. */
export interface CallOutput {
  callId: string;
  /** A fresh screenshot taken after the call's actions ran, as a data URL. */
  screenshot: string;
  /** The call's pending safety checks, once the user (or a policy) approved them. */
  acknowledgedSafetyChecks?: SafetyCheck[];
}

/** How a screenshot answers a computer_call: Lightcone's examples send `input_image`, OpenAI reads `computer_screenshot`. */
export type ScreenshotOutputType = 'input_image' | 'computer_screenshot';

/** The answer to a function_call the model made (deskhand offers only `done`; others are answered as unknown). */
export interface FunctionOutput {
  callId: string;
  output: string;
}

export interface NextTurn extends TurnOptions {
  /** Chain to the previous response (stateful); leave out for a stateless request with `replay`. */
  previousResponseId?: string;
  outputs: CallOutput[];
  functionOutputs?: FunctionOutput[];
  /**
   * Text for the model sent as a user message after the call outputs, e.g. why an action could not run
   * (an unknown action type) or the user's reply.
   */
  messages?: string[];
  /** Stateless mode: the earlier input and output items, resent before the new ones. */
  replay?: readonly Record<string, unknown>[];
}
