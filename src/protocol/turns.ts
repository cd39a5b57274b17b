import type { InputMessage, NextTurn, ScreenshotOutputType, TurnOptions } from './requests.js';

/* The parts of a create body that Lightcone and OpenAI build alike (lightcone.ts, openai.ts). */

/** The user message opening a run: the task and the first screenshot. */
export function taskMessage(task: string, screenshot: string): InputMessage {
  return {
    role: 'user',
    content: [
      { type: 'input_text', text: task },
      { type: 'input_image', image_url: screenshot, detail: 'auto' },
    ],
  };
}

/**
 * The input of a later turn: replayed items, the call outputs, the function call outputs, then any
 * messages. An `input_image` screenshot carries `detail: "auto"`, as every official Lightcone example
 * sends it; `computer_screenshot` (OpenAI's ComputerScreenshotImage) has no such field.
 */
export function nextTurnInput(
  turn: NextTurn,
  screenshotType: ScreenshotOutputType,
): Record<string, unknown>[] {
  const outputs = turn.outputs.map((output) => ({
    type: 'computer_call_output',
    call_id: output.callId,
    output:
      screenshotType === 'input_image'
        ? { type: screenshotType, image_url: output.screenshot, detail: 'auto' }
        : { type: screenshotType, image_url: output.screenshot },
    ...(output.acknowledgedSafetyChecks?.length
      ? { acknowledged_safety_checks: output.acknowledgedSafetyChecks }
      : {}),
  }));
  const functionOutputs = (turn.functionOutputs ?? []).map((answer) => ({
    type: 'function_call_output',
    call_id: answer.callId,
    output: answer.output,
  }));
  const messages = (turn.messages ?? []).map((text) => ({
    role: 'user',
    content: [{ type: 'input_text', text }],
  }));
  return [...(turn.replay ?? []), ...outputs, ...functionOutputs, ...messages];
}

/** The body fields every provider shares, without the undefined ones. */
export function commonFields(turn: TurnOptions): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries({
      model: turn.model,
      instructions: turn.instructions,
      stream: turn.stream,
      max_output_tokens: turn.maxOutputTokens,
      temperature: turn.temperature,
      top_p: turn.topP,
    }).filter(([, value]) => value !== undefined),
  );
}
