import type { DisplayProfile } from '../../calibration/index.js';
import type { Action, Point } from '../protocol/actions.js';
import type { Shot } from '../session/session.js';
import { RunRecord } from '../trajectory/index.js';

/**
 * The run record of one MCP session (one server process): the same folder, files and line shapes as a
 * run's, so `deskhand runs` lists it and `deskhand report` draws it. Every tool call gets a `call` line
 * and a `call.result` line; `act`'s actions get the run's `action.started` / `action` lines; every
 * screenshot sent to the client is saved as the next `screenshots/turn-NNN.<format>`.
 *
 * Turns as the report reads them: an action of turn T was decided on screenshot T-1. Here T is the
 * number of screenshots sent so far, so each action is drawn on the last screenshot the client got.
 */
export interface SessionEnding {
  outcome: 'success' | 'cancelled' | 'display_lost';
  exitCode: number;
  message: string;
}

export class SessionRecord {
  private calls = 0;
  private shots = 0;
  private steps = 0;
  private client: string | undefined;
  private readonly started = performance.now();

  private constructor(private readonly record: RunRecord | undefined) {}

  /** No root: nothing is written (--no-record), and every method still works. */
  static async create(
    root: string | undefined,
    meta: { runId: string; profile: DisplayProfile; displayName: string | undefined; secrets: string[] },
  ): Promise<SessionRecord> {
    if (root === undefined) return new SessionRecord(undefined);
    const record = await RunRecord.create(root, {
      runId: meta.runId,
      task: `MCP session on ${meta.displayName ?? 'the desktop'}`,
      provider: 'mcp',
      model: 'MCP client',
      profile: meta.profile,
      startedAt: new Date().toISOString(),
      options: { display: meta.displayName, coords: meta.profile.coordMode, mcp: true },
      secrets: meta.secrets,
    });
    return new SessionRecord(record);
  }

  get dir(): string | undefined {
    return this.record?.dir;
  }

  /** The client that connected (its initialize request), shown as the record's model. */
  clientConnected(name: string, version: string): Promise<void> {
    this.client = `${name} ${version}`;
    return this.write({ type: 'mcp.client', at: this.at(), name, version });
  }

  /** A tool call begins; returns its number (from 1). */
  async call(tool: string, args: unknown): Promise<number> {
    const call = ++this.calls;
    await this.write({ type: 'call', call, tool, arguments: args, at: this.at() });
    return call;
  }

  callEnded(call: number, result: { ok: boolean; durationMs: number; error?: string }): Promise<void> {
    return this.write({ type: 'call.result', call, ...result });
  }

  /** Saves a screenshot sent to the client as the next turn's; returns its path in the record. */
  async screenshot(shot: Shot): Promise<string | undefined> {
    const turn = this.shots++;
    return this.record?.screenshot(turn, shot.data, shot.format);
  }

  /** The line before an action runs; returns its step number, for `actionEnded`. */
  async actionStarted(call: number, action: Action, modelPoints: Point[], screenPoints: Point[]) {
    const what = {
      step: ++this.steps,
      turn: this.shots,
      callId: `mcp-call-${call}`,
      action,
      modelPoints,
      screenPoints,
      startedAt: new Date().toISOString(),
    };
    await this.write({ type: 'action.started', ...what });
    return {
      ended: (result: { durationMs: number; ok: boolean; error?: string; clamped?: string }) =>
        this.write({ type: 'action', ...what, ...result }),
    };
  }

  /** A line of its own (run_task's outcome, a warning). */
  note(entry: Record<string, unknown>): Promise<void> {
    return this.write({ at: this.at(), ...entry });
  }

  /** Closes the record: outcome and exit code in run.json, the `end` line last. */
  finish(ending: SessionEnding): Promise<void> {
    return (
      this.record?.finish({
        ...ending,
        ...(this.client ? { model: this.client } : {}),
        steps: this.steps,
        turns: this.shots,
        calls: this.calls,
        durationMs: performance.now() - this.started,
        endedAt: new Date().toISOString(),
      }) ?? Promise.resolve()
    );
  }

  /** The same, written synchronously, for a process that exits now (a second signal). */
  finishNow(ending: SessionEnding): void {
    this.record?.finishNow({
      ...ending,
      steps: this.steps,
      turns: this.shots,
      calls: this.calls,
      durationMs: performance.now() - this.started,
      endedAt: new Date().toISOString(),
    });
  }

  private at(): number {
    return Math.round(performance.now() - this.started);
  }

  private write(entry: Record<string, unknown>): Promise<void> {
    return this.record?.step(entry) ?? Promise.resolve();
  }
}
