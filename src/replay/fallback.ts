import type { DisplayProfile } from '../../calibration/index.js';
import type { ResponsesClient } from '../client/responses-client.js';
import { toScreen } from '../../calibration/index.js';
import { mapPoints, pointsOf } from '../protocol/actions.js';
import { describeAction } from '../session/describe.js';
import type { RunEvent, RunResult } from '../session/run-events.js';
import { type ActionRunner, createSession, type Recorder, type ScreenSource } from '../session/session.js';
import { judge, type PictureCache } from './verify-step.js';
import type { Script, ScriptStep } from './script.js';

/** How the model is reached when a replay falls back to it. */
export interface ModelSettings {
  client: ResponsesClient;
  provider: 'lightcone' | 'openai';
  model: string;
  maxTurns?: number;
  instructions?: string;
  doneTool?: boolean;
  stream?: boolean;
}

export interface FallbackResult {
  /** The script step the replay goes on from; undefined when the model ended the task. */
  resumeAt?: number;
  run: RunResult;
  /** The model's actions as script steps (model coordinates of the current profile). */
  steps: ScriptStep[];
}

/** How many later steps each screenshot of the model's turns is compared with. */
const LOOKAHEAD = 10;

/**
 * Hands the task to the model (the normal session loop) from step `from`, with the current screen and
 * the recorded steps still to do as context. After each of the model's turns, the screen is compared
 * with the recorded screens of the next steps: as soon as one matches (its screen and its target), the
 * model is stopped and the replay goes on from there. The model's steps are written into the replay's
 * record (numbered on from the replay's), and returned for the updated script.
 */
export async function fallBackToModel(options: {
  script: Script;
  /** The task in the model's words (parameters filled in). */
  task: string;
  from: number;
  why: string;
  model: ModelSettings;
  runner: ActionRunner;
  screen: ScreenSource;
  profile: DisplayProfile;
  pictures: PictureCache;
  recorder?: Recorder & { dir?: string };
  /** Record numbering to continue from: screenshots taken and steps performed so far. */
  shotsSoFar: number;
  stepsSoFar: number;
  secrets: Record<string, string>;
  signal: AbortSignal;
  onEvent: (event: RunEvent) => void;
}): Promise<FallbackResult & { shotsTaken: number }> {
  const { script, from } = options;
  let resumeAt: number | undefined;
  const candidates = [...script.steps.keys()]
    .filter((index) => index >= from && (index === from || script.steps[index]!.checkScreen))
    .slice(0, LOOKAHEAD);
  // Screenshot paths the session wrote, by its turn numbering, for the updated script's pictures.
  const shotPaths = new Map<number, string>();
  let shotsTaken = 0;
  // Set once the session exists; its screen (below) stops it when a recorded step shows again.
  const running: { session?: ReturnType<typeof createSession> } = {};

  const screen: ScreenSource = {
    async capture(signal) {
      const shot = await options.screen.capture(signal);
      for (const index of candidates) {
        const verdict = await judge(script.steps[index]!, script.profile, shot, options.pictures);
        if (verdict.ok && !verdict.unverified) {
          resumeAt = index;
          running.session?.cancel(
            'user',
            `the screen matches recorded step ${index + 1}: replay resumes there`,
          );
          break;
        }
      }
      return shot;
    },
  };
  const base = options.shotsSoFar;
  const renumber = (entry: Record<string, unknown>): Record<string, unknown> => ({
    ...entry,
    ...(typeof entry.turn === 'number' ? { turn: base + entry.turn } : {}),
    ...(typeof entry.step === 'number' ? { step: options.stepsSoFar + entry.step } : {}),
    fallback: true,
  });
  const recorder: Recorder | undefined = options.recorder && {
    screenshot: async (turn, data, format) => {
      shotsTaken = Math.max(shotsTaken, turn + 1);
      const path = await options.recorder!.screenshot(base + turn, data, format);
      shotPaths.set(turn, path);
      return path;
    },
    step: (entry) => options.recorder!.step(renumber(entry)),
    // The replay writes the ending of its own record.
    finish: async () => {},
  };

  const remaining = script.steps.slice(from).map((step, index) => {
    const screenPoints = pointsOf(mapPoints(step.action, (p) => toScreen(p, script.profile)));
    return `${from + index + 1}. ${describeAction(step.action, screenPoints)}`;
  });
  const task =
    script.steps.length === 0
      ? options.task
      : `${options.task}\n\n(deskhand was replaying a recording of this task without you, and step ${from + 1} ` +
        `of ${script.steps.length} could not be replayed: ${options.why}. The recorded steps still to do were:\n` +
        `${remaining.join('\n')}\nLook at the screen: bring it back to where those steps can go on (for ` +
        'example, close an unexpected dialog), or do the rest of the task yourself and say when it is done.)';

  const session = createSession({
    task,
    provider: options.model.provider,
    model: options.model.model,
    client: options.model.client,
    actuator: options.runner,
    screen,
    profile: options.profile,
    recorder,
    maxTurns: options.model.maxTurns,
    instructions: options.model.instructions,
    doneTool: options.model.doneTool,
    stream: options.model.stream,
    secrets: options.secrets,
  });
  running.session = session;
  const stop = () => session.cancel('user', 'cancelled');
  options.signal.addEventListener('abort', stop, { once: true });
  const steps: ScriptStep[] = [];
  let lastTurn = -1;
  try {
    for await (const event of session.events) {
      if (event.type === 'action.started') {
        steps.push({
          action: event.action,
          before: shotPaths.get(event.turn - 1),
          checkScreen: event.turn !== lastTurn,
        });
        lastTurn = event.turn;
      }
      options.onEvent(event);
    }
    const run = await session.result;
    return { resumeAt: options.signal.aborted ? undefined : resumeAt, run, steps, shotsTaken };
  } finally {
    options.signal.removeEventListener('abort', stop);
  }
}
