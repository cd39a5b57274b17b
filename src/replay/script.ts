import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DisplayProfile } from '../../calibration/index.js';
import { type Action, ActionSchema } from '../protocol/actions.js';
import { readRunRecord } from '../trajectory/index.js';

/**
 * A replayable script: the actions of a run, in model coordinates of the profile they were recorded
 * with, each with the screenshot that was on the screen before it.
 *
 * From a run record (scriptFromRecord): the session sends screenshot turn-(T-1) with turn T, and the
 * model chose all of turn T's actions looking at it, so that screenshot holds every target of turn T;
 * only the turn's first action may also wait for the whole screen to match it (the later ones run on a
 * screen the earlier ones changed). A replay's own record has a screenshot before every step.
 *
 * On disk (a cache entry, writeScript): script.json with image paths relative to it, and images/.
 */
export interface ScriptStep {
  action: Action;
  /** Path of the screenshot before the action (absolute in memory, relative on disk). */
  before?: string;
  /** The whole screen must match `before` before the action (false: only the target's patch). */
  checkScreen: boolean;
}

export interface Script {
  version: 1;
  task: string;
  /** The recording's profile: its viewport is the size of every `before` picture. */
  profile: DisplayProfile;
  steps: ScriptStep[];
  /** The record it was made from. */
  source?: string;
  /** How the task ended when recorded: its answer. */
  result?: string;
}

export class ScriptError extends Error {
  override name = 'ScriptError';
}

/** The script of a recorded run (deskhand run's record, or a replay's). */
export async function scriptFromRecord(dir: string): Promise<Script> {
  const { run, steps: lines } = await readRunRecord(dir).catch((error: NodeJS.ErrnoException) => {
    throw new ScriptError(`cannot read the run record ${dir}: ${error.code ?? error.message}`);
  });
  const profile = run.profile as DisplayProfile | undefined;
  if (!profile?.viewport || !profile.display)
    throw new ScriptError(`the run record ${dir} has no display profile in run.json: it cannot be replayed`);
  const shots = new Map<number, string>();
  for (const name of await readdir(join(dir, 'screenshots')).catch(() => [] as string[])) {
    const turn = /^turn-(\d+)\./.exec(name)?.[1];
    if (turn !== undefined) shots.set(Number(turn), join(dir, 'screenshots', name));
  }
  const steps: ScriptStep[] = [];
  let lastTurn = -1;
  for (const line of lines) {
    if (line.type !== 'action' || line.ok === false) continue;
    const parsed = ActionSchema.safeParse(line.action);
    if (!parsed.success) continue;
    const turn = typeof line.turn === 'number' ? line.turn : 0;
    steps.push({ action: parsed.data, before: shots.get(turn - 1), checkScreen: turn !== lastTurn });
    lastTurn = turn;
  }
  if (steps.length === 0) throw new ScriptError(`the run record ${dir} has no performed action to replay`);
  return {
    version: 1,
    task: run.task,
    profile,
    steps,
    source: dir,
    result: typeof run.result === 'string' ? run.result : undefined,
  };
}

/** Reads a script written by writeScript; image paths come back absolute. */
export async function readScript(dir: string): Promise<Script> {
  const script = JSON.parse(await readFile(join(dir, 'script.json'), 'utf8')) as Script;
  if (script.version !== 1 || !Array.isArray(script.steps))
    throw new ScriptError(`${join(dir, 'script.json')} is not a deskhand script (version 1)`);
  return {
    ...script,
    steps: script.steps.map((step) => ({
      ...step,
      action: ActionSchema.parse(step.action),
      before: step.before ? join(dir, step.before) : undefined,
    })),
  };
}

/**
 * Writes a script to `dir` (replacing what is there), copying its pictures into images/. Written to a
 * temporary folder first and renamed, so a reader never sees half a script.
 */
export async function writeScript(dir: string, script: Script): Promise<void> {
  const temporary = `${dir}.tmp-${process.pid}`;
  await rm(temporary, { recursive: true, force: true });
  await mkdir(join(temporary, 'images'), { recursive: true, mode: 0o700 });
  const copied = new Map<string, string>();
  const steps: ScriptStep[] = [];
  for (const [index, step] of script.steps.entries()) {
    let before: string | undefined;
    if (step.before) {
      before = copied.get(step.before);
      if (!before) {
        const extension = /\.[a-z]+$/.exec(step.before)?.[0] ?? '.png';
        before = `images/step-${String(index + 1).padStart(3, '0')}${extension}`;
        await copyFile(step.before, join(temporary, before));
        copied.set(step.before, before);
      }
    }
    steps.push({ ...step, before });
  }
  await writeFile(join(temporary, 'script.json'), `${JSON.stringify({ ...script, steps }, null, 2)}\n`, {
    mode: 0o600,
  });
  const old = `${dir}.old-${process.pid}`;
  await rename(dir, old).catch(() => {});
  await rename(temporary, dir);
  await rm(old, { recursive: true, force: true });
}
