import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import {
  type DisplayProfile,
  modelToScreenshot,
  screenshotToModel,
  toScreen,
} from '../../calibration/index.js';
import { type Action, mapPoints, type Point, pointsOf } from '../protocol/actions.js';
import { describeAction } from '../session/describe.js';
import type { RunEvent, Usage } from '../session/run-events.js';
import type { ActionRunner, Recorder, ScreenSource, Shot } from '../session/session.js';
import { redactor } from '../trajectory/redact.js';
import { fallBackToModel, type ModelSettings } from './fallback.js';
import { fillParams } from './params.js';
import type { Script, ScriptStep } from './script.js';
import { judge, PictureCache, type Verdict, verifyStep } from './verify-step.js';

/** The exit code of a replay that stopped because the screen was not the recorded one (--fallback none). */
export const REPLAY_DIVERGED_EXIT = 7;

export type StepStatus = 'replayed' | 'healed';

/** What a replay reports as it goes; the model's own run events come in between when it falls back. */
export type ReplayEvent =
  | {
      type: 'replay.started';
      steps: number;
      task: string;
      source?: string;
      recordDir?: string;
      display?: string;
    }
  | {
      type: 'replay.step';
      /** 1-based, in the script. */
      step: number;
      of: number;
      status: StepStatus;
      description: string;
      /** How far the target moved, in screenshot pixels. */
      shift: Point;
      screenScore?: number;
      targetScore?: number;
      unverified?: string;
      /** Waiting for the screen (settling, loading), matching, acting. */
      waitedMs: number;
      matchMs: number;
      actMs: number;
    }
  | {
      type: 'replay.diverged';
      step: number;
      of: number;
      reason: string;
      expected?: string;
      found?: string;
      sideBySide?: string;
    }
  | { type: 'replay.fallback'; step: number; reason: string }
  /** Steps `from`-`to` (1-based) not needed: the screen already showed the next one's. */
  | { type: 'replay.skipped'; from: number; to: number; reason: string }
  | { type: 'replay.resumed'; step: number; modelSteps: number; modelRequests: number }
  | ({ type: 'replay.finished' } & ReplayResult)
  | RunEvent;

export type ReplayOutcome =
  | 'success'
  /** The screen was not the recorded one and --fallback none: nothing done at that step. */
  | 'diverged'
  /** The model, fallen back to, ended otherwise than with success. */
  | 'fallback_failed'
  | 'action_error'
  | 'cancelled';

export interface ReplayResult {
  outcome: ReplayOutcome;
  exitCode: number;
  message?: string;
  /** The answer recorded with the script, or the model's when it finished the task. */
  result?: string;
  replayed: number;
  healed: number;
  modelSteps: number;
  modelRequests: number;
  usage: Usage;
  durationMs: number;
  /** Per replayed step: waiting + matching + acting. */
  msPerStep?: number;
  /** The script as this replay performed it (healed points, the model's steps), when it differs. */
  updated?: Script;
}

export interface ReplayOptions {
  script: Script;
  runner: ActionRunner;
  screen: ScreenSource;
  profile: DisplayProfile;
  fallback: 'model' | 'none';
  model?: ModelSettings;
  /** Values for `{{NAME}}` (parameters and secrets). */
  values: Record<string, string>;
  /** Secret values: never written. */
  secrets: Record<string, string>;
  recorder?: Recorder & { dir?: string };
  /** The task as the model is told it (parameters filled), when it differs from the script's. */
  modelTask?: string;
  /** How long each step waits for its screen (default 5 s). */
  matchTimeoutMs?: number;
  signal: AbortSignal;
  onEvent: (event: ReplayEvent) => void;
  /** The stop reason's exit code when the signal aborts (default 130). */
  stoppedExitCode?: () => number;
}

/** Replays a script: each step verified on the screen, healed when its target moved, else fallen back. */
export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  const started = performance.now();
  const { script, recorder } = options;
  const pictures = new PictureCache();
  const redact = redactor(Object.values(options.secrets));
  const timeoutMs = options.matchTimeoutMs ?? 5000;
  const performed: ScriptStep[] = [];
  const usage: Usage = { input_tokens: 0, output_tokens: 0, total_tokens: 0 };
  let shots = 0;
  let steps = 0;
  let replayed = 0;
  let healed = 0;
  let modelSteps = 0;
  let modelRequests = 0;
  let replayMs = 0;
  let changed = false;
  let answer = script.result;
  const end = async (outcome: ReplayOutcome, exitCode: number, message?: string): Promise<ReplayResult> => {
    await options.runner.releaseAll().catch(() => {});
    const result: ReplayResult = {
      outcome,
      exitCode,
      message,
      result: answer,
      replayed,
      healed,
      modelSteps,
      modelRequests,
      usage,
      durationMs: performance.now() - started,
      msPerStep: replayed + healed > 0 ? replayMs / (replayed + healed) : undefined,
      updated:
        outcome === 'success' && changed
          ? { ...script, profile: options.profile, steps: performed }
          : undefined,
    };
    const summary = { ...result, updated: undefined }; // the script is not part of the record's ending
    await recorder
      ?.finish({ ...summary, steps, turns: modelRequests, endedAt: new Date().toISOString() })
      .catch(() => {});
    options.onEvent({ type: 'replay.finished', ...result });
    return result;
  };

  /** The screen is not the recorded one at `index`: stop, or let the model take over until it matches again. */
  const divert = async (
    index: number,
    reason: string,
    verdict: Verdict | undefined,
    step: ScriptStep | undefined,
  ): Promise<{ resumeAt: number } | { done: ReplayResult }> => {
    if (options.fallback === 'none' || !options.model) {
      const saved = verdict && step ? await saveDivergence(recorder, index, step, verdict) : {};
      options.onEvent({
        type: 'replay.diverged',
        step: index + 1,
        of: script.steps.length,
        reason,
        ...saved,
      });
      await recorder?.step({
        type: 'warning',
        message: `step ${index + 1}: ${reason}; stopped before acting`,
      });
      const what = step ? ` (${describeAction(step.action, [])})` : '';
      return {
        done: await end(
          'diverged',
          REPLAY_DIVERGED_EXIT,
          `step ${index + 1} of ${script.steps.length}${what} was not performed: ${reason}` +
            (saved.sideBySide ? `; expected vs found: ${saved.sideBySide}` : ''),
        ),
      };
    }
    options.onEvent({ type: 'replay.fallback', step: index + 1, reason });
    await recorder?.step({ type: 'warning', message: `step ${index + 1}: ${reason}; the model takes over` });
    changed = true;
    const fallback = await fallBackToModel({
      script,
      task: options.modelTask ?? script.task,
      from: index,
      why: reason,
      model: options.model,
      runner: options.runner,
      screen: options.screen,
      profile: options.profile,
      pictures,
      recorder,
      shotsSoFar: shots,
      stepsSoFar: steps,
      secrets: options.secrets,
      signal: options.signal,
      onEvent: options.onEvent,
    });
    shots += fallback.shotsTaken;
    steps += fallback.run.steps;
    modelSteps += fallback.run.steps;
    modelRequests += fallback.run.turns;
    usage.input_tokens += fallback.run.usage.input_tokens;
    usage.output_tokens += fallback.run.usage.output_tokens;
    usage.total_tokens += fallback.run.usage.total_tokens;
    performed.push(...fallback.steps);
    if (options.signal.aborted) throw new Error('cancelled');
    if (fallback.resumeAt !== undefined) {
      options.onEvent({
        type: 'replay.resumed',
        step: fallback.resumeAt + 1,
        modelSteps: fallback.run.steps,
        modelRequests: fallback.run.turns,
      });
      return { resumeAt: fallback.resumeAt };
    }
    // The model ended the task itself.
    answer = fallback.run.result ?? answer;
    if (fallback.run.outcome === 'success') return { done: await end('success', 0, fallback.run.message) };
    return {
      done: await end(
        'fallback_failed',
        fallback.run.exitCode,
        `the model took over at step ${index + 1} and ended ${fallback.run.outcome}: ${fallback.run.message ?? ''}`,
      ),
    };
  };

  try {
    let index = 0;
    if (script.steps.length === 0) {
      // Nothing recorded yet (a cache miss): the model does the whole task.
      const next = await divert(0, 'there is no recording of this task yet', undefined, undefined);
      if ('done' in next) return next.done;
    }
    while (index < script.steps.length) {
      const step = script.steps[index]!;
      const verdict = await verifyStep(step, script.profile, options.screen, pictures, {
        timeoutMs,
        signal: options.signal,
      });
      if (verdict.ok) {
        const began = performance.now();
        const action = moved(step.action, verdict.shift, script.profile, options.profile);
        const screenAction = mapPoints(action, (p) => toScreen(p, options.profile));
        const screenPoints = pointsOf(screenAction);
        const description = describeAction(screenAction, screenPoints);
        const status: StepStatus = verdict.shift.x !== 0 || verdict.shift.y !== 0 ? 'healed' : 'replayed';
        const { shot } = verdict;
        // No picture taken (nothing to check): the step belongs to the previous one's turn, as recorded.
        const shotIndex = shot ? shots++ : undefined;
        steps++;
        const what = {
          step: steps,
          turn: shots,
          action,
          modelPoints: pointsOf(action),
          screenPoints,
          replay: replayFields(status, index, verdict),
        };
        // Only this line must be on disk before the action starts; the screenshot before it and the
        // lines after it are written while it runs (the record writes in order, and its ending waits).
        await recorder?.step({ type: 'action.started', ...what, startedAt: new Date().toISOString() });
        const entry: ScriptStep = {
          action,
          before: status === 'replayed' || !shot ? step.before : undefined,
          checkScreen: shot !== undefined,
        };
        if (shot && shotIndex !== undefined)
          recorder
            ?.screenshot(shotIndex, shot.data, shot.format)
            .then((path) => (entry.before = path))
            .catch(() => {});
        void recorder
          ?.step({
            type: 'message',
            turn: shots,
            text: `${status} step ${index + 1} of ${script.steps.length}${
              status === 'healed' ? `: the target moved by (${verdict.shift.x}, ${verdict.shift.y}) px` : ''
            }${verdict.unverified ? ` (not verified: ${verdict.unverified})` : ''}`,
          })
          .catch(() => {});
        let error: string | undefined;
        try {
          await options.runner.run(fillParams(screenAction, options.values), { signal: options.signal });
        } catch (thrown) {
          if (options.signal.aborted) throw thrown;
          error = redact(thrown instanceof Error ? thrown.message : String(thrown));
        }
        const actMs = performance.now() - began;
        void recorder
          ?.step({ type: 'action', ...what, durationMs: actMs, ok: !error, error })
          .catch(() => {});
        if (error)
          return await end(
            'action_error',
            1,
            `could not perform step ${index + 1} (${description}): ${error}`,
          );
        replayMs += verdict.waitedMs + actMs;
        if (status === 'healed') {
          healed++;
          changed = true;
        } else replayed++;
        options.onEvent({
          type: 'replay.step',
          step: index + 1,
          of: script.steps.length,
          status,
          description,
          shift: verdict.shift,
          screenScore: verdict.screen?.score,
          targetScore: verdict.target?.score,
          unverified: verdict.unverified,
          waitedMs: Math.round(verdict.waitedMs),
          matchMs: Math.round(verdict.matchMs),
          actMs: Math.round(actMs),
        });
        performed.push(entry);
        index++;
        continue;
      }

      // The screen is not the recorded one. Is it a later step's (the steps between were not needed
      // this time: a dialog the recording had to close did not come)? Then go on from there.
      const later = await laterMatch(script, index, verdict.shot, pictures);
      if (later !== undefined) {
        const skipped = `steps ${index + 1}-${later} skipped: the screen already shows step ${later + 1}'s`;
        options.onEvent({ type: 'replay.skipped', from: index + 1, to: later, reason: verdict.reason });
        await recorder?.step({ type: 'warning', message: skipped });
        changed = true;
        index = later;
        continue;
      }
      const next = await divert(index, verdict.reason, verdict, step);
      if ('done' in next) return next.done;
      index = next.resumeAt;
    }
    return await end('success', 0);
  } catch (error) {
    if (options.signal.aborted) return end('cancelled', options.stoppedExitCode?.() ?? 130, 'cancelled');
    return end('action_error', 1, redact(error instanceof Error ? error.message : String(error)));
  }
}

/** The first later step (a turn's first, at most 10 ahead) whose screen and target the shot shows. */
async function laterMatch(
  script: Script,
  index: number,
  shot: Shot,
  pictures: PictureCache,
): Promise<number | undefined> {
  const later = [...script.steps.keys()]
    .filter((k) => k > index && script.steps[k]!.checkScreen && script.steps[k]!.before)
    .slice(0, 10);
  for (const k of later) {
    const verdict = await judge(script.steps[k]!, script.profile, shot, pictures);
    if (verdict.ok && !verdict.unverified) return k;
  }
  return undefined;
}

/** The action's points moved by `shift` screenshot pixels, in the current profile's model coordinates. */
function moved(action: Action, shift: Point, recorded: DisplayProfile, current: DisplayProfile): Action {
  return mapPoints(action, (p) => {
    const shot = modelToScreenshot(p, recorded);
    const model = screenshotToModel({ x: shot.x + shift.x, y: shot.y + shift.y }, current);
    // Model coordinates stay as precise as the recording's: whole numbers on the 0-999 grid.
    return current.coordMode === 'normalized'
      ? { x: Math.round(model.x * 10) / 10, y: Math.round(model.y * 10) / 10 }
      : model;
  });
}

function replayFields(status: StepStatus, index: number, verdict: Extract<Verdict, { ok: true }>) {
  return {
    status,
    scriptStep: index + 1,
    shift: verdict.shift,
    screenScore: verdict.screen?.score,
    targetScore: verdict.target?.score,
    unverified: verdict.unverified,
    waitedMs: Math.round(verdict.waitedMs),
    matchMs: Math.round(verdict.matchMs),
  };
}

/**
 * Expected vs found in the record: divergence/step-NNN-expected.png, -found.png, and both side by side
 * (-expected-vs-found.png, the recorded screen on the left).
 */
async function saveDivergence(
  recorder: (Recorder & { dir?: string }) | undefined,
  index: number,
  step: ScriptStep,
  verdict: Verdict,
): Promise<{ expected?: string; found?: string; sideBySide?: string }> {
  if (!recorder?.dir || !verdict.shot) return {};
  const folder = join(recorder.dir, 'divergence');
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const name = (what: string) => join(folder, `step-${String(index + 1).padStart(3, '0')}-${what}.png`);
  const found = await sharp(verdict.shot.data).png().toBuffer();
  await writeFile(name('found'), found, { mode: 0o600 });
  if (!step.before) return { found: name('found') };
  const expected = await sharp(step.before).png().toBuffer();
  await writeFile(name('expected'), expected, { mode: 0o600 });
  const { width, height } = verdict.shot;
  const gap = 16;
  const both = await sharp({
    create: { width: width * 2 + gap, height, channels: 3, background: { r: 200, g: 30, b: 30 } },
  })
    .composite([
      { input: await sharp(expected).resize(width, height, { fit: 'fill' }).toBuffer(), left: 0, top: 0 },
      { input: found, left: width + gap, top: 0 },
    ])
    .png()
    .toBuffer();
  await writeFile(name('expected-vs-found'), both, { mode: 0o600 });
  await recorder.step({
    type: 'replay.diverged',
    step: index + 1,
    expected: name('expected'),
    found: name('found'),
    sideBySide: name('expected-vs-found'),
    reason: verdict.ok ? '' : verdict.reason,
  });
  return { expected: name('expected'), found: name('found'), sideBySide: name('expected-vs-found') };
}
