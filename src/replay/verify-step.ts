import { modelToScreenshot } from '../../calibration/index.js';
import type { DisplayProfile } from '../../calibration/index.js';
import { type Point, pointsOf } from '../protocol/actions.js';
import type { ScreenSource, Shot } from '../session/session.js';
import { decodeGrey, type GreyImage } from './grey-image.js';
import { matchScreen, type ScreenMatch } from './screen-match.js';
import type { ScriptStep } from './script.js';
import { findTarget, type TargetMatch } from './target-match.js';

/** What the screen said about a step: go on (maybe at a moved place), or it is not the recorded screen. */
export type Verdict =
  | {
      ok: true;
      /** Undefined when the step had nothing to look at and no picture was taken. */
      shot?: Shot;
      /** How far the target moved, in screenshot pixels (0, 0 when it did not). */
      shift: Point;
      screen?: ScreenMatch;
      target?: TargetMatch;
      /** The step had no picture, or its target patch was featureless: not verified. */
      unverified?: string;
      waitedMs: number;
      matchMs: number;
    }
  | {
      ok: false;
      shot: Shot;
      reason: string;
      screen?: ScreenMatch;
      target?: TargetMatch;
      waitedMs: number;
      matchMs: number;
    };

/** A verdict before its screenshot and wait time are added. */
export type Judgement = Verdict extends infer V
  ? V extends unknown
    ? Omit<V, 'shot' | 'waitedMs'>
    : never
  : never;

/** Decoded recorded pictures, by path: steps of one turn share one. */
export class PictureCache {
  private readonly pictures = new Map<string, Promise<GreyImage>>();
  get(path: string): Promise<GreyImage> {
    let picture = this.pictures.get(path);
    if (!picture) {
      picture = decodeGrey(path);
      this.pictures.set(path, picture);
    }
    return picture;
  }
}

/** The step's target in the recorded screenshot's pixels: its first point, if it has one. */
export function targetOf(step: ScriptStep, recorded: DisplayProfile): Point | undefined {
  const first = pointsOf(step.action)[0];
  return first ? modelToScreenshot(first, recorded) : undefined;
}

/** Checks one captured screen against a step: the whole screen (when asked), then the target's patch. */
export async function judge(
  step: ScriptStep,
  recorded: DisplayProfile,
  shot: Shot,
  pictures: PictureCache,
): Promise<Judgement> {
  const started = performance.now();
  const matchMs = () => performance.now() - started;
  if (!step.before)
    return { ok: true, shift: { x: 0, y: 0 }, unverified: 'no recorded screenshot', matchMs: 0 };
  const { width, height } = recorded.viewport;
  if (shot.width !== width || shot.height !== height)
    return {
      ok: false,
      reason: `the screen is ${shot.width}x${shot.height} in the model's view, the recording was ${width}x${height}`,
      matchMs: matchMs(),
    };
  const point = targetOf(step, recorded);
  // Nothing to look at (a typing after a click in one turn).
  if (!step.checkScreen && !point) return { ok: true, shift: { x: 0, y: 0 }, matchMs: matchMs() };
  const [expected, found] = await Promise.all([pictures.get(step.before), decodeGrey(shot.data)]);
  let screen: ScreenMatch | undefined;
  if (step.checkScreen) {
    screen = matchScreen(expected, found);
    if (!screen.matches)
      return {
        ok: false,
        reason: `the screen is not the recorded one (${Math.round(screen.score * 100)}% alike, ${Math.round(
          100 * 0.75,
        )}% needed)`,
        screen,
        matchMs: matchMs(),
      };
  }
  if (!point) return { ok: true, shift: { x: 0, y: 0 }, screen, matchMs: matchMs() };
  const target = findTarget(expected, found, point);
  if (target.found) return { ok: true, shift: target.shift, screen, target, matchMs: matchMs() };
  if ('featureless' in target && target.featureless)
    return {
      ok: true,
      shift: { x: 0, y: 0 },
      screen,
      target,
      unverified: 'the target has no features to find it by',
      matchMs: matchMs(),
    };
  return {
    ok: false,
    reason: `the target of the step is not on the screen (best match ${target.score.toFixed(2)}, 0.90 needed)`,
    screen,
    target,
    matchMs: matchMs(),
  };
}

/**
 * Waits for the screen to settle and to show the step's recorded screen, up to `timeoutMs`: an
 * application loads at its own pace, and a replay waits for it instead of sleeping.
 *
 * A step with nothing to look at (typing after a click of the same turn) takes no picture at all and
 * waits for nothing, as the model run did between the two: input reaches the application in the order
 * it was sent, so the click is handled before the typing.
 */
export async function verifyStep(
  step: ScriptStep,
  recorded: DisplayProfile,
  screen: ScreenSource,
  pictures: PictureCache,
  options: { timeoutMs: number; signal: AbortSignal; pollMs?: number },
): Promise<Verdict> {
  const started = performance.now();
  if (!step.checkScreen && !targetOf(step, recorded))
    return { ok: true, shift: { x: 0, y: 0 }, waitedMs: 0, matchMs: 0 };
  let matchMs = 0;
  for (;;) {
    const shot = await screen.capture(options.signal);
    const verdict = await judge(step, recorded, shot, pictures);
    matchMs += verdict.matchMs;
    const waitedMs = performance.now() - started;
    const sizeMismatch = !verdict.ok && verdict.reason.startsWith('the screen is ') && !verdict.screen;
    if (verdict.ok || waitedMs >= options.timeoutMs || sizeMismatch)
      return { ...verdict, shot, waitedMs, matchMs } as Verdict;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 150));
    if (options.signal.aborted) throw options.signal.reason ?? new Error('cancelled');
  }
}
