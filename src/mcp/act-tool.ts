import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { checkModelPoint, modelRange, toScreen } from '../../calibration/index.js';
import { type Action, mapPoints, pointsOf } from '../protocol/actions.js';
import {
  ActionError,
  LightconeActionTypeSchema,
  parseLightconeAction,
} from '../protocol/lightcone-actions.js';
import type { McpContext } from './context.js';
import { screenshotContent } from './screenshot-tool.js';

const numeric = z.union([z.number(), z.string()]);
const keys = z.union([z.array(z.string()), z.string()]);

/**
 * One action in the Lightcone shape, as `deskhand act` takes it. The schema tells the client the fields;
 * the values are checked by the same parser as `deskhand act` and a run (parseLightconeAction), which
 * is tolerant of what models send (numbers as strings, "ctrl+c", keysym names) and names the bad field.
 */
export const ActionInputSchema = z
  .looseObject({
    type: LightconeActionTypeSchema,
    x: numeric.optional(),
    y: numeric.optional(),
    end_x: numeric.optional().describe('drag: where it ends'),
    end_y: numeric.optional(),
    path: z
      .array(z.object({ x: numeric, y: numeric }))
      .optional()
      .describe('drag: the points it goes through'),
    button: z.string().optional().describe('left (default), right, middle/wheel, back, forward'),
    keys: keys
      .optional()
      .describe('key, keypress, key_down, key_up: a chord, e.g. ["ctrl","c"] or "ctrl+c"; for clicks: held'),
    text: z.string().optional().describe('type, point_and_type: typed exactly, any Unicode'),
    scroll_x: numeric.optional().describe('scroll, hscroll: positive is right'),
    scroll_y: numeric.optional().describe('scroll: positive is down'),
    url: z.string().optional().describe('navigate'),
    ms: numeric.optional().describe('wait'),
    seconds: numeric.optional().describe('wait'),
  })
  .describe('an action in the Lightcone shape, e.g. {"type":"click","x":640,"y":400}');

export const actInputShape = {
  actions: z.array(ActionInputSchema).min(1).max(200).describe('performed in order'),
  screenshot: z
    .boolean()
    .optional()
    .describe('return a fresh screenshot after the actions (also when an action is {"type":"screenshot"})'),
};

export interface ActInput {
  actions: Record<string, unknown>[];
  screenshot?: boolean;
}

interface Planned {
  sentType: string;
  /** In the client's coordinates, as recorded. */
  action: Action;
  onScreen: Action;
}

/**
 * Every action parsed and every point checked before the first runs, as `deskhand act` does: a typo in
 * the third must not leave the first two half done. A point outside the screenshot is an error, not
 * clamped: the client aimed at something that is not there.
 */
export function planActions(context: McpContext, actions: Record<string, unknown>[]): Planned[] {
  const { profile } = context.desktop;
  return actions.map((raw, index) => {
    let action: Action;
    try {
      action = parseLightconeAction(raw);
    } catch (error) {
      if (error instanceof ActionError)
        throw new ActionError(`action ${index + 1}: ${error.message} (field "${error.field}")`, error.field);
      throw error;
    }
    for (const point of pointsOf(action)) {
      if (!checkModelPoint(point, profile).clamped) continue;
      const { min, max } = modelRange(profile);
      const space =
        profile.coordMode === 'normalized'
          ? 'the 0-999 grid'
          : `pixels of the ${profile.viewport.width}x${profile.viewport.height} screenshot`;
      throw new ActionError(
        `action ${index + 1}: (${point.x}, ${point.y}) is off the screenshot: x ${min.x}..${max.x}, ` +
          `y ${min.y}..${max.y} (${space}); nothing was performed`,
        'x',
      );
    }
    const onScreen = mapPoints(action, (p) => {
      const s = toScreen(p, profile);
      return { x: s.x, y: s.y };
    });
    return { sentType: String(raw.type), action, onScreen };
  });
}

/** Performs the actions in order; one JSON line each in the result, then a screenshot when asked. */
export async function act(
  context: McpContext,
  input: ActInput,
  call: number,
  signal: AbortSignal,
): Promise<CallToolResult> {
  const planned = planActions(context, input.actions);
  const lines: string[] = [];
  let failure: string | undefined;
  await context.gate.use('act', async () => {
    for (const [index, { sentType, action, onScreen }] of planned.entries()) {
      if (signal.aborted) {
        failure = `cancelled before action ${index + 1} of ${planned.length}`;
        break;
      }
      const step = await context.record.actionStarted(call, action, pointsOf(action), pointsOf(onScreen));
      const began = performance.now();
      try {
        const result = await context.desktop.runner.run(onScreen, { signal });
        await step.ended({ durationMs: result.durationMs, ok: true, clamped: result.clamped });
        const screen = pointsOf(onScreen)[0];
        lines.push(
          JSON.stringify({
            index,
            ok: true,
            type: sentType,
            ...(screen ? { screen: { x: Math.round(screen.x), y: Math.round(screen.y) } } : {}),
            ...(result.pointer ? { pointer: result.pointer } : {}),
            ...(result.clamped ? { clamped: result.clamped } : {}),
            ms: Math.round(result.durationMs * 100) / 100,
          }),
        );
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await step.ended({ durationMs: performance.now() - began, ok: false, error: message });
        lines.push(JSON.stringify({ index, ok: false, type: sentType, error: message }));
        failure = `action ${index + 1} of ${planned.length} (${sentType}) failed: ${message}; the rest were not performed`;
        break;
      }
    }
  });
  const wantsScreenshot =
    input.screenshot === true || planned.some(({ action }) => action.type === 'screenshot');
  const content: CallToolResult['content'] = [
    { type: 'text', text: [...lines, ...(failure ? [failure] : [])].join('\n') },
  ];
  if (wantsScreenshot && !signal.aborted) content.push(...(await screenshotContent(context, signal)));
  return { content, ...(failure ? { isError: true } : {}) };
}
