import { readFileSync } from 'node:fs';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { createProfile, toScreen } from '../../calibration/index.js';
import { resolveDisplay, useDisplay } from '../../native-adapters/display.js';
import { lockDisplay } from '../../native-adapters/display-lock.js';
import { releaseHeldInputOnExit } from '../../native-adapters/input/exit-guard.js';
import type { InputDriverName } from '../../native-adapters/input/open-input.js';
import type { Action } from '../protocol/actions.js';
import { ActionError } from '../protocol/errors.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { describeClosed, onOutputClosed, stderr, stdout } from './output.js';
import { waitForDisplayMs, waitForDisplayOption } from './run.js';

interface ActArgs {
  actions: string[];
  /** `-` on the command line: read the actions from stdin (yargs drops a lone - from a list). */
  stdin: boolean;
  display?: string;
  coords: 'pixels' | 'normalized';
  input: InputDriverName;
  pixelsPerNotch: number;
  waitForDisplay: number;
}

export interface ParsedAction {
  /** The type as sent (triple_click, hscroll ...), for the output line. */
  sentType: string;
  action: Action;
}

/** Parses every action before any runs, so a typo in the third never leaves the first two half done. */
export async function parseActionArguments(texts: string[]): Promise<ParsedAction[]> {
  // Loaded here, not at the top: the action schemas (zod) take a while to load.
  const { parseLightconeAction } = await import('../protocol/lightcone-actions.js');
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

/**
 * The action texts: the arguments, or with `-` the standard input (one JSON action per line, or one
 * JSON array of them). No action at all is a usage error, not a silent success.
 */
export function actionTexts(
  args: string[] | undefined,
  stdin: boolean,
  readStdin = () => readFileSync(0, 'utf8'),
): string[] {
  const texts = [...(args ?? []), ...(stdin ? ['-'] : [])].flatMap((arg) => {
    if (arg !== '-') return [arg];
    const input = readStdin().trim();
    if (input.startsWith('[')) {
      try {
        return (JSON.parse(input) as unknown[]).map((action) => JSON.stringify(action));
      } catch {
        // not one array: read it line by line, and let the parser name the bad line
      }
    }
    return input.split('\n').filter((line) => line.trim() !== '');
  });
  if (texts.length === 0)
    throw new UsageError(
      'no actions given: pass them as arguments (\'{"type":"click","x":10,"y":20}\') or - to read them from stdin',
    );
  return texts;
}

async function act(args: ArgumentsCamelCase<ActArgs>): Promise<void> {
  const actions = await parseActionArguments(actionTexts(args.actions, args.stdin));
  // Loaded here, not at the top: input and the display watch load x11 and zod, which take a while.
  const [{ watchDisplay }, { Actuator }, { openInput }, { mapPoints, pointsOf }] = await Promise.all([
    import('../../native-adapters/x11/display-watch.js'),
    import('../../native-adapters/input/actuator.js'),
    import('../../native-adapters/input/open-input.js'),
    import('../protocol/actions.js'),
  ]);
  const display = resolveDisplay(args.display);
  useDisplay(display);
  const lock = await lockDisplay(display, { command: 'act', waitMs: waitForDisplayMs(args.waitForDisplay) });
  // stdout closed under us (| head -1): stop before the next action, release, exit 141.
  let closedOutput: string | undefined;
  const stopOnClosedOutput = onOutputClosed((name, error) => {
    closedOutput = describeClosed(name, error);
  });
  const driver = await openInput(display, args.input);
  const actuator = new Actuator(driver, { pixelsPerNotch: args.pixelsPerNotch });
  const removeGuard = releaseHeldInputOnExit(actuator);
  // The X server dying mid-act (in a long wait, say) ends it at once with its own code.
  const stopWatching = display
    ? await watchDisplay(display, () => {
        stderr.write(
          `deskhand: the display ${display} went away (its X server stopped or dropped the connection)\n`,
        );
        process.exit(ExitCode.displayLost);
      })
    : () => {};
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
      if (closedOutput) {
        stderr.write(`deskhand: ${closedOutput}: stopped before action ${index + 1} of ${onScreen.length}\n`);
        process.exitCode = ExitCode.outputClosed;
        break;
      }
      const result = await actuator.run(action);
      const screenPoint = pointsOf(action)[0];
      stdout.write(
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
    stopWatching();
    await actuator.close();
    removeGuard();
    stopOnClosedOutput();
    lock.release();
  }
}

export const actCommand: CommandModule<object, ActArgs> = {
  command: 'act [actions..]',
  describe:
    'Run actions (Lightcone action JSON) in order on the display, then exit; held keys are released at exit',
  builder: (yargs: Argv) =>
    yargs
      .positional('actions', {
        type: 'string',
        array: true,
        describe:
          'one JSON object per action, e.g. \'{"type":"click","x":950,"y":530}\'; - reads them from stdin (a line each, or a JSON array)',
      })
      .option('stdin', {
        type: 'boolean',
        default: false,
        describe: 'read the actions from stdin, a JSON action per line or one JSON array (also: -)',
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
      })
      .option('wait-for-display', waitForDisplayOption) as unknown as Argv<ActArgs>,
  handler: act,
};
