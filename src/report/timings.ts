import type { StepView } from './view.js';

/** A step's times: the request that chose it, the action itself, the screenshot after its turn. */
export interface StepTiming {
  /** Request sent to this turn's first action in hand, and to its response complete. */
  firstActionMs?: number;
  responseMs?: number;
  retries?: number;
  resumes?: number;
  actionMs?: number;
  /** The screenshot after the turn: waiting for the screen to settle, then capture and encoding. */
  settleMs?: number;
  captureMs?: number;
}

/** One turn's time, split by what it was spent on. */
export interface TurnTime {
  turn: number;
  /** Waiting for the model: the response's time less the actions performed while it streamed. */
  modelMs: number;
  actionsMs: number;
  settleMs: number;
  captureMs: number;
}

export const TIME_PARTS = ['model', 'actions', 'settle', 'capture', 'other'] as const;
export type TimePart = (typeof TIME_PARTS)[number];

/** Where the run's time went. `other`: the run's duration less the parts measured (recording, gaps). */
export interface TimeView {
  /** False for a record written before timings were kept (no request or screenshot lines). */
  measured: boolean;
  total: Record<TimePart, number>;
  /** Turn 0 is the first screenshot, before any request. */
  turns: TurnTime[];
  retries: number;
}

/**
 * Fills each step's `timing` from the record's request and screenshot lines, and sums the run's time
 * by part. Pure: the lines as read from steps.jsonl.
 */
export function timeView(
  steps: StepView[],
  requests: Record<string, unknown>[],
  screenshots: Record<string, unknown>[],
  durationMs: number | undefined,
): TimeView {
  const turns = new Map<number, TurnTime>();
  const turnOf = (turn: number) => {
    let time = turns.get(turn);
    if (!time) turns.set(turn, (time = { turn, modelMs: 0, actionsMs: 0, settleMs: 0, captureMs: 0 }));
    return time;
  };
  const requestOf = new Map<number, Record<string, unknown>>();
  let retries = 0;
  for (const request of requests) {
    const turn = num(request.turn);
    if (turn === undefined) continue;
    requestOf.set(turn, request);
    retries += (num(request.retries) ?? 0) + (num(request.resumes) ?? 0);
  }
  const shotOf = new Map<number, Record<string, unknown>>();
  for (const shot of screenshots) {
    const turn = num(shot.turn);
    if (turn === undefined) continue;
    shotOf.set(turn, shot);
    const time = turnOf(turn);
    const settle = num(shot.settleMs) ?? 0;
    time.settleMs += settle;
    // The whole screenshot less its settling, when measured (grabs and comparisons are capture too).
    const total = num(shot.totalMs);
    time.captureMs += total === undefined ? (num(shot.captureMs) ?? 0) : Math.max(0, total - settle);
  }
  for (const step of steps) {
    if (step.durationMs !== undefined) turnOf(step.turn).actionsMs += step.durationMs;
    const request = requestOf.get(step.turn);
    const shot = shotOf.get(step.turn);
    step.timing = {
      firstActionMs: num(request?.firstActionMs),
      responseMs: num(request?.responseMs),
      retries: num(request?.retries),
      resumes: num(request?.resumes),
      actionMs: step.durationMs,
      settleMs: num(shot?.settleMs),
      captureMs:
        num(shot?.totalMs) === undefined
          ? num(shot?.captureMs)
          : Math.max(0, num(shot?.totalMs)! - (num(shot?.settleMs) ?? 0)),
    };
  }
  for (const [turn, request] of requestOf) {
    const time = turnOf(turn);
    // Actions performed while the response streamed are inside its time: count them once, as actions.
    const acting = num(request.actionsMs) ?? time.actionsMs;
    time.modelMs = Math.max(0, (num(request.responseMs) ?? 0) - acting);
  }
  const list = [...turns.values()].sort((a, b) => a.turn - b.turn);
  const sum = (pick: (time: TurnTime) => number) => list.reduce((total, time) => total + pick(time), 0);
  const total: Record<TimePart, number> = {
    model: sum((time) => time.modelMs),
    actions: sum((time) => time.actionsMs),
    settle: sum((time) => time.settleMs),
    capture: sum((time) => time.captureMs),
    other: 0,
  };
  if (durationMs !== undefined) {
    const measured = total.model + total.actions + total.settle + total.capture;
    total.other = Math.max(0, durationMs - measured);
  }
  return { measured: requests.length > 0 || screenshots.length > 0, total, turns: list, retries };
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
