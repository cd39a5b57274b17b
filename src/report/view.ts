import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { readRunRecord, type RunJson } from '../trajectory/index.js';
import { type TimeView, timeView, type StepTiming } from './timings.js';

/**
 * The report's view model: what the page shows, taken from a run record (run.json, steps.jsonl,
 * screenshots/). Everything the page draws is here in screenshot pixels, so rendering does no math.
 */
export interface ReportView {
  dir: string;
  run: RunSummary;
  profile?: ProfileView;
  /** Every screenshot the model saw, in turn order (paths relative to the record folder). */
  screenshots: { turn: number; path: string }[];
  /** Performed actions and rejected ones, in the order they happened. */
  steps: StepView[];
  /** Warnings before the first step. */
  notes: NoteView[];
  /** The record's files, relative to its folder. */
  files: string[];
  /** Where the run's time went, in total and by turn. */
  time: TimeView;
}

export interface RunSummary {
  runId: string;
  task: string;
  provider: string;
  model: string;
  status: string;
  outcome?: string;
  exitCode?: number;
  result?: string;
  message?: string;
  startedAt: string;
  durationMs?: number;
  turns?: number;
  actions: number;
  rejected: number;
  warnings: number;
  /** Requests sent again and streams resumed, over the run. */
  retries: number;
  tokens?: { input: number; output: number; total: number };
}

export interface ProfileView {
  screen: { width: number; height: number; originX: number; originY: number; scale: number };
  viewport: { width: number; height: number };
  coordMode: string;
  /** The monitor the run was limited to (--monitor), if any. */
  monitor?: string;
}

export interface NoteView {
  kind: 'warning' | 'rejected' | 'error' | 'safety' | 'nudge';
  message: string;
}

/** A point in screenshot pixels. */
export interface ImagePoint {
  x: number;
  y: number;
}

/** What to draw over the screenshot, in its pixels. */
export type Mark =
  | { kind: 'click'; at: ImagePoint; count: number; button: string }
  | { kind: 'point'; at: ImagePoint; label: string }
  | { kind: 'path'; points: ImagePoint[] }
  | { kind: 'scroll'; at: ImagePoint; dx: number; dy: number };

export interface StepView {
  /** Position in the page's step list, from 1. */
  index: number;
  kind: 'action' | 'rejected';
  /** The record's step number (the action count), for actions. */
  step?: number;
  turn: number;
  /** The screenshot the model saw when it chose this step, relative to the record folder. */
  screenshot?: string;
  /** The screenshot taken after the turn, when there is one. */
  after?: string;
  /** The action's type and its fields as recorded (texts already redacted by the record). */
  actionType?: string;
  action?: Record<string, unknown>;
  /** The text a `type` action typed (secrets as their {{NAME}} placeholder), or a key combination. */
  text?: string;
  modelPoints: ImagePoint[];
  screenPoints: ImagePoint[];
  marks: Mark[];
  startedAt?: string;
  durationMs?: number;
  ok?: boolean;
  /** Rejections, errors and warnings that happened at this step. */
  notes: NoteView[];
  /** The model's reasoning summary (and message) in the turn that chose this step. */
  reasoning?: string;
  /** Keys and mouse buttons held down while this step ran (key_down/mouse_down until their up). */
  held: string[];
  /** The request that chose it, the action itself, and the screenshot after its turn. */
  timing: StepTiming;
}

const Point = z.object({ x: z.number(), y: z.number() });
const Profile = z.object({
  display: z.object({
    width: z.number().positive(),
    height: z.number().positive(),
    originX: z.number().default(0),
    originY: z.number().default(0),
    scaleFactor: z.number().default(1),
  }),
  viewport: z.object({ width: z.number().positive(), height: z.number().positive() }),
  coordMode: z.string(),
});
const Usage = z.object({ input_tokens: z.number(), output_tokens: z.number(), total_tokens: z.number() });

/** Reads a run record folder into the report's view model. */
export async function readReportView(dir: string): Promise<ReportView> {
  const { run, steps: lines } = await readRunRecord(dir);
  const shots = await screenshotsIn(dir);
  return reportView(dir, run, lines, shots);
}

/** The view model from a record's parts; `shots` are the file names in screenshots/. */
export function reportView(
  dir: string,
  run: RunJson,
  lines: Record<string, unknown>[],
  shots: string[],
): ReportView {
  const parsedProfile = Profile.safeParse(run.profile);
  const profile = parsedProfile.success ? parsedProfile.data : undefined;
  const shotOfTurn = new Map<number, string>();
  for (const name of shots) {
    const turn = /^turn-(\d+)\./.exec(name)?.[1];
    if (turn !== undefined) shotOfTurn.set(Number(turn), `screenshots/${name}`);
  }
  // A step is decided from the screenshot sent with its turn: turn T was sent turn-(T-1).
  const before = (turn: number) => shotOfTurn.get(turn - 1);
  const toImage = imageMapper(profile);

  const steps: StepView[] = [];
  const byStep = new Map<number, StepView>();
  const notes: NoteView[] = [];
  // A note of turn T goes to the latest step of turn T, or waits for the next step of T (a retry or a
  // safety check comes before its turn's first action). A note without a turn goes to the latest step.
  const pending: { turn: number; note: NoteView }[] = [];
  const addStep = (step: StepView) => {
    steps.push(step);
    for (let i = 0; i < pending.length;)
      if (pending[i]!.turn <= step.turn) step.notes.push(pending.splice(i, 1)[0]!.note);
      else i++;
  };
  const noteHere = (note: NoteView, turn: number | undefined) => {
    const last = steps.at(-1);
    if (turn === undefined || last?.turn === turn) (last?.notes ?? notes).push(note);
    else pending.push({ turn, note });
  };
  let warnings = 0;
  const saidInTurn = new Map<number, string[]>();
  const requests: Record<string, unknown>[] = [];
  const shotLines: Record<string, unknown>[] = [];
  const held = new Set<string>();
  for (const line of lines) {
    if ((line.type === 'reasoning' || line.type === 'message') && typeof line.text === 'string') {
      const turn = numberOr(line.turn) ?? 0;
      saidInTurn.set(turn, [...(saidInTurn.get(turn) ?? []), line.text]);
      continue;
    }
    if (line.type === 'request') requests.push(line);
    else if (line.type === 'screenshot') shotLines.push(line);
    else if ((line.type === 'action.started' || line.type === 'action') && typeof line.step === 'number') {
      let step = byStep.get(line.step);
      if (!step) {
        step = actionStep(line, steps.length + 1, toImage);
        step.screenshot = before(step.turn);
        step.after = shotOfTurn.get(step.turn);
        step.held = holding(held, step.action ?? {});
        byStep.set(line.step, step);
        addStep(step);
      }
      if (line.type === 'action') {
        step.durationMs = numberOr(line.durationMs);
        step.ok = line.ok !== false;
        if (typeof line.error === 'string') step.notes.push({ kind: 'error', message: line.error });
      }
    } else if (line.type === 'rejected') {
      const turn = numberOr(line.turn) ?? 0;
      addStep({
        index: steps.length + 1,
        kind: 'rejected',
        turn,
        screenshot: before(turn),
        after: shotOfTurn.get(turn),
        modelPoints: [],
        screenPoints: [],
        marks: [],
        notes: [{ kind: 'rejected', message: String(line.message ?? '') }],
        held: [...held],
        timing: {},
      });
    } else if (line.type === 'warning') {
      warnings++;
      noteHere({ kind: 'warning', message: String(line.message ?? '') }, numberOr(line.turn));
    } else if (line.type === 'safety_check') {
      const checks = Array.isArray(line.checks) ? (line.checks as Record<string, unknown>[]) : [];
      const what = checks.map((check) => String(check.message ?? check.code ?? check.id)).join('; ');
      const decision = line.approved === true ? 'approved' : 'refused';
      noteHere({ kind: 'safety', message: `safety check ${decision}: ${what}` }, numberOr(line.turn));
    } else if (line.type === 'nudge') {
      noteHere({ kind: 'nudge', message: String(line.message ?? '') }, numberOr(line.turn));
    }
  }
  for (const { note } of pending) (steps.at(-1)?.notes ?? notes).push(note);

  for (const step of steps) step.reasoning = saidInTurn.get(step.turn)?.join('\n\n');
  const time = timeView(steps, requests, shotLines, run.durationMs);

  const usage = Usage.safeParse(run.usage);
  return {
    dir,
    run: {
      runId: run.runId,
      task: run.task,
      provider: run.provider,
      model: run.model,
      status: run.status,
      outcome: run.outcome,
      exitCode: run.exitCode,
      result: run.result,
      message: run.message,
      startedAt: run.startedAt,
      durationMs: run.durationMs,
      turns: run.turns,
      actions: steps.filter((step) => step.kind === 'action').length,
      rejected: steps.filter((step) => step.kind === 'rejected').length,
      warnings,
      retries: time.retries,
      tokens: usage.success
        ? { input: usage.data.input_tokens, output: usage.data.output_tokens, total: usage.data.total_tokens }
        : undefined,
    },
    profile: profile && {
      screen: {
        width: profile.display.width,
        height: profile.display.height,
        originX: profile.display.originX,
        originY: profile.display.originY,
        scale: profile.display.scaleFactor,
      },
      viewport: profile.viewport,
      coordMode: profile.coordMode,
      monitor: typeof run.options?.monitor === 'string' ? run.options.monitor : undefined,
    },
    screenshots: [...shotOfTurn].sort(([a], [b]) => a - b).map(([turn, path]) => ({ turn, path })),
    steps,
    notes,
    files: ['run.json', 'steps.jsonl', ...[...shotOfTurn.values()].sort()],
    time,
  };
}

/**
 * Screen point -> screenshot pixel. The screenshot is the viewport: a screen point maps to it by
 * viewport/screen, after taking off the display's origin. Without a profile, the points as they are.
 */
export function imageMapper(profile: z.infer<typeof Profile> | undefined): (point: ImagePoint) => ImagePoint {
  if (!profile) return (point) => point;
  const { display, viewport } = profile;
  return (point) => ({
    x: ((point.x - display.originX) * viewport.width) / display.width,
    y: ((point.y - display.originY) * viewport.height) / display.height,
  });
}

function actionStep(
  line: Record<string, unknown>,
  index: number,
  toImage: (point: ImagePoint) => ImagePoint,
): StepView {
  const action = (typeof line.action === 'object' && line.action !== null ? line.action : {}) as Record<
    string,
    unknown
  >;
  const modelPoints = points(line.modelPoints);
  const screenPoints = points(line.screenPoints);
  const image = screenPoints.map(toImage);
  const type = String(action.type ?? 'unknown');
  return {
    index,
    kind: 'action',
    step: line.step as number,
    turn: numberOr(line.turn) ?? 0,
    actionType: type,
    action,
    text: textOf(action),
    modelPoints,
    screenPoints,
    marks: marksOf(type, action, image),
    startedAt: typeof line.startedAt === 'string' ? line.startedAt : undefined,
    notes: [],
    held: [],
    timing: {},
  };
}

function marksOf(type: string, action: Record<string, unknown>, image: ImagePoint[]): Mark[] {
  const first = image[0];
  if (!first) return [];
  if (type === 'drag' || image.length > 1) return [{ kind: 'path', points: image }];
  if (type === 'click' || type === 'double_click' || type === 'triple_click' || type === 'right_click') {
    const count = numberOr(action.count) ?? (type === 'double_click' ? 2 : type === 'triple_click' ? 3 : 1);
    const button = String(action.button ?? (type === 'right_click' ? 'right' : 'left'));
    return [{ kind: 'click', at: first, count, button }];
  }
  if (type === 'scroll' || type === 'hscroll') {
    const dx = numberOr(action.scrollX) ?? 0;
    const dy = numberOr(action.scrollY) ?? 0;
    return [{ kind: 'scroll', at: first, dx, dy }];
  }
  return [{ kind: 'point', at: first, label: type }];
}

/**
 * What is held while an action runs: the keys and buttons held before it, plus those it presses
 * (key_down, mouse_down) or still holds until it releases them (key_up, mouse_up). Updates `held`.
 */
function holding(held: Set<string>, action: Record<string, unknown>): string[] {
  const keys = Array.isArray(action.keys) ? action.keys.map(String) : [];
  const button = `${String(action.button ?? 'left')} button`;
  const during = new Set(held);
  const press = (name: string) => {
    held.add(name);
    during.add(name);
  };
  if (action.type === 'key_down') keys.forEach(press);
  else if (action.type === 'key_up') for (const key of keys) held.delete(key);
  else if (action.type === 'mouse_down') press(button);
  else if (action.type === 'mouse_up') held.delete(button);
  return [...during];
}

function textOf(action: Record<string, unknown>): string | undefined {
  if (typeof action.text === 'string') return action.text;
  if (Array.isArray(action.keys)) return action.keys.map(String).join('+');
  if (typeof action.url === 'string') return action.url;
  return undefined;
}

function points(value: unknown): ImagePoint[] {
  const parsed = z.array(Point).safeParse(value);
  return parsed.success ? parsed.data : [];
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

async function screenshotsIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(join(dir, 'screenshots'))).filter((name) =>
      /^turn-\d+\.(png|jpg|webp)$/.test(name),
    );
  } catch {
    return [];
  }
}
