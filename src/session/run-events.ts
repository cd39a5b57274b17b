import type { Action, Point } from '../protocol/actions.js';

/** How a run ended; each maps to one exit code (see exitCodeFor). */
export type Outcome =
  /** terminate success, answer, done, or a final message: exit 0 */
  | 'success'
  /** terminate failure: exit 1 */
  | 'failure'
  /** the API failed after retries, or answered something unusable: exit 1 */
  | 'api_error'
  /** an action could not be performed (the OS refused): exit 1 */
  | 'action_error'
  /** a pending safety check was not approved: exit 1 */
  | 'safety_refused'
  /** --max-turns, --max-actions, the token budget, or the repeated-action guard: exit 3 */
  | 'limit'
  /** stopped from outside (a signal, closed output, session.cancel()): see STOP_EXIT_CODES */
  | 'cancelled'
  /** the X display went away mid-run (the X server died or closed our connection): exit 4 */
  | 'display_lost'
  /** requireDone: the model stopped with a bare message, not an explicit success ending: exit 6 */
  | 'unconfirmed';

/** Why a run was stopped from outside (Session.cancel). */
export type StopReason =
  | 'SIGINT'
  | 'SIGTERM'
  | 'SIGHUP'
  | 'output-closed'
  | 'display-lost'
  | 'user'
  /** A person used the desktop, with --on-takeover cancel. */
  | 'takeover';

/**
 * The exit code of each way a run is stopped from outside: 128 + the signal's number for signals, 141
 * (128 + SIGPIPE, what a shell reports for a pipeline whose reader went away) when stdout or stderr
 * was closed, 4 when the display went away, 130 for a library caller's cancel().
 */
export const STOP_EXIT_CODES: Record<StopReason, number> = {
  SIGINT: 130,
  SIGTERM: 143,
  SIGHUP: 129,
  'output-closed': 141,
  'display-lost': 4,
  user: 130,
  takeover: 130,
};

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
}

/** How a run ended: the last run event, and what `session.result` resolves to. */
export interface RunResult {
  runId: string;
  /** The run record's folder, when there is one. */
  recordDir?: string;
  outcome: Outcome;
  exitCode: number;
  /** The model's answer / result text, when it gave one. */
  result?: string;
  /** Why it ended, in words (the error, the limit, the signal). */
  message?: string;
  steps: number;
  turns: number;
  usage: Usage;
  durationMs: number;
}

/**
 * What a run reports as it goes, in order. The CLI prints them (TTY lines, plain lines, or NDJSON with
 * --json); the run record stores them. Every event has `type` and `at` (ms since the run started).
 */
export type RunEvent = { at: number } & (
  | {
      type: 'run.started';
      /** Wall-clock time (ISO 8601, UTC); `at` counts from it. */
      startedAt: string;
      runId: string;
      task: string;
      provider: string;
      model: string;
      /** The display profile (calibration), as recorded. */
      profile: unknown;
      recordDir?: string;
      /** The X display (a private Xvfb's name too). */
      display?: string;
    }
  | { type: 'turn.started'; turn: number; previousResponseId?: string }
  | { type: 'response.created'; turn: number; responseId: string }
  /** Reasoning summary text as it streams (delta) and once complete. */
  | { type: 'reasoning.delta'; turn: number; delta: string }
  | { type: 'reasoning'; turn: number; text: string }
  | { type: 'message'; turn: number; text: string }
  | {
      type: 'action.started';
      /** 1-based count of actions performed in the run. */
      step: number;
      turn: number;
      responseId: string;
      callId: string;
      action: Action;
      /** The action in the model's coordinates, and where it lands on the screen. */
      modelPoints: Point[];
      screenPoints: Point[];
      /** The action in words, e.g. "click at (640, 400)". */
      description: string;
      /** True when --dry-run: described, not performed. */
      dryRun: boolean;
    }
  | { type: 'action.finished'; step: number; callId: string; durationMs: number; ok: boolean; error?: string }
  /** The model sent something we cannot run; it is told so in the next turn. */
  | {
      type: 'action.rejected';
      turn: number;
      callId: string;
      message: string;
      /** What refused it: a policy field (`windows.deny[0]`, `keys.maxTypeLength`, ...) or `takeover`. */
      rule?: string;
    }
  /** A person used the desktop: deskhand stopped acting (`step`: the action it stopped part-way). */
  | {
      type: 'takeover.started';
      turn: number;
      step?: number;
      /** key, button or motion: the first input that was not deskhand's. */
      input: string;
      message: string;
      /** When the run goes on, in words. */
      resumes: string;
    }
  /** The desktop was idle long enough (or a person said go on): the run goes on with a fresh screenshot. */
  | { type: 'takeover.ended'; turn: number; pausedMs: number }
  /** A policy confirm rule asked a person about an action. */
  | {
      type: 'policy.confirm';
      turn: number;
      callId: string;
      rule: string;
      question: string;
      approved: boolean;
    }
  | {
      type: 'screenshot';
      turn: number;
      width: number;
      height: number;
      bytes: number;
      /** Time spent waiting for the screen to settle, and capture+encode time. */
      settleMs: number;
      captureMs: number;
      path?: string;
    }
  | {
      type: 'safety_check';
      callId: string;
      checks: { id: string; code?: string | null; message?: string | null }[];
      approved: boolean;
    }
  | { type: 'nudge'; turn: number; message: string }
  | { type: 'usage'; turn: number; usage: Usage; total: Usage }
  | { type: 'warning'; message: string }
  /** What the server answered to the cancel of the response still running when the run was stopped. */
  | { type: 'server.cancel'; responseId: string; outcome: string }
  | ({ type: 'run.finished' } & RunResult)
  /** The run could not start (no display, the display busy, a bad option): the only event then. */
  | { type: 'run.failed'; exitCode: number; message: string }
);

export type RunEventType = RunEvent['type'];

/** A run event before the session stamps its time. */
export type RunEventInput = RunEvent extends infer E ? (E extends unknown ? Omit<E, 'at'> : never) : never;
