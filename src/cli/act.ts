import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { createProfile, toScreen } from '../../calibration/index.js';
import { resolveDisplay, useDisplay } from '../../native-adapters/display.js';
import { Actuator } from '../../native-adapters/input/actuator.js';
import { releaseHeldInputOnExit } from '../../native-adapters/input/exit-guard.js';
import { type InputDriverName, openInput } from '../../native-adapters/input/open-input.js';
import { type Action, mapPoints, pointsOf } from '../protocol/actions.js';
import { ActionError, parseLightconeAction } from '../protocol/lightcone-actions.js';
import { UsageError } from './exit-codes.js';

interface ActArgs {
  actions: string[];
  display?: string;
  coords: 'pixels' | 'normalized';
  input: InputDriverName;
  pixelsPerNotch: number;
}

export interface ParsedAction {
  /** The type as sent (triple_click, hscroll ...), for the output line. */
  sentType: string;
  action: Action;
}

/** Parses every action before any runs, so a typo in the third never leaves the first two half done. */
export function parseActionArguments(texts: string[]): ParsedAction[] {
  return texts.map((text, index) => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new ActionError(
        `action ${index + 1} is not valid JSON (${(error as Error).message}): ${text}`,
        'type',
      );
    }
    try {
      const action = parseLightconeAction(json);
      return { sentType: String((json as { type: unknown }).type), action };
    } catch (error) {
      if (error instanceof ActionError) {
        throw new ActionError(`action ${index + 1}: ${error.message} (field "${error.field}")`, error.field);
      }
      throw error;
    }
  });
}

async function act(args: ArgumentsCamelCase<ActArgs>): Promise<void> {
  const actions = parseActionArguments(args.actions);
  const display = resolveDisplay(args.display);
  useDisplay(display);
  const driver = await openInput(display, args.input);
  const actuator = new Actuator(driver, { pixelsPerNotch: args.pixelsPerNotch });
  const removeGuard = releaseHeldInputOnExit(actuator);
  const screen = driver.screenSize();
  const profile = createProfile({
    display: {
      ...screen,
      originX: 0,
      originY: 0,
      scaleFactor: 1,
      physicalWidth: screen.width,
      physicalHeight: screen.height,
    },
    coordMode: 'normalized',
    viewport: screen,
  });
  const onScreen = actions.map(({ action }, index) => {
    if (args.coords === 'normalized') return mapPoints(action, (p) => toScreen(p, profile));
    for (const p of pointsOf(action)) {
      if (p.x < 0 || p.y < 0 || p.x > screen.width - 1 || p.y > screen.height - 1) {
        throw new UsageError(
          `action ${index + 1}: (${p.x}, ${p.y}) is off screen: the display is ${screen.width}x${screen.height} ` +
            `(x 0..${screen.width - 1}, y 0..${screen.height - 1}). For 0-999 grid coordinates pass --coords normalized.`,
        );
      }
    }
    return action;
  });
  try {
    for (const [index, action] of onScreen.entries()) {
      const result = await actuator.run(action);
      const screenPoint = pointsOf(action)[0];
      process.stdout.write(
        `${JSON.stringify({
          index,
          ok: true,
          type: args.actions[index]
            ? (JSON.parse(args.actions[index]) as { type: string }).type
            : action.type,
          action,
          ...(screenPoint ? { screen: { x: Math.round(screenPoint.x), y: Math.round(screenPoint.y) } } : {}),
          ...(result.pointer ? { pointer: result.pointer } : {}),
          ...(result.clamped ? { clamped: result.clamped } : {}),
          ms: Math.round(result.durationMs * 100) / 100,
        })}\n`,
      );
    }
  } finally {
    await actuator.close();
    removeGuard();
  }
}

export const actCommand: CommandModule<object, ActArgs> = {
  command: 'act <actions..>',
  describe:
    'Run actions (Lightcone action JSON) in order on the display, then exit; held keys are released at exit',
  builder: (yargs: Argv) =>
    yargs
      .positional('actions', {
        type: 'string',
        array: true,
        describe: 'one JSON object per action, e.g. \'{"type":"click","x":950,"y":530}\'',
      })
      .option('display', { type: 'string', describe: 'X display to act on, e.g. :1 (default: $DISPLAY)' })
      .option('coords', {
        choices: ['pixels', 'normalized'] as const,
        default: 'pixels' as const,
        describe: 'pixels: screen pixels; normalized: the 0-999 grid over the whole screen',
      })
      .option('input', {
        choices: ['auto', 'x11', 'nut'] as const,
        default: 'auto' as const,
        describe: 'input driver: x11 (XTEST, exact typing) on Linux, nut-js elsewhere',
      })
      .option('pixels-per-notch', {
        type: 'number',
        default: 100,
        describe: 'scroll_x/scroll_y are divided by this to get mouse-wheel notches (1: they are notches)',
      }) as unknown as Argv<ActArgs>,
  handler: act,
};
