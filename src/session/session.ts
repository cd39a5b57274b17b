import { randomUUID } from 'node:crypto';
import { checkModelPoint, type DisplayProfile, toScreen } from '../../calibration/index.js';
import type { ActionResult } from '../../native-adapters/input/actuator.js';
import { AbortError, ApiError, describeServerError, UnusableStreamError } from '../client/errors.js';
import type { ResponsesClient } from '../client/responses-client.js';
import type { ResponseStream } from '../client/response-stream.js';
import {
  type Action,
  type ComputerCall,
  doneCall,
  type FunctionCallItem,
  type FunctionOutput,
  finalText,
  mapPoints,
  normalizeStatus,
  type Point,
  pointsOf,
  ProtocolError,
  type ResponseObject,
  type SafetyCheck,
  type ScreenshotOutputType,
  toComputerCall,
} from '../protocol/index.js';
import { redactor } from '../trajectory/redact.js';
import { ActionGate, type PolicyOptions } from './action-gate.js';
import { Channel } from './channel.js';
import { describeAction, plural } from './describe.js';
import { RepeatGuard } from './repeat-guard.js';
import {
  type Outcome,
  type RunEvent,
  type RunEventInput,
  type RunResult,
  STOP_EXIT_CODES,
  type StopReason,
  type Usage,
} from './run-events.js';
import type { TakeoverOptions } from './takeover.js';
import { TurnRequests } from './turn-requests.js';

export type { RunResult } from './run-events.js';

/** What performs actions: the real Actuator, or a stand-in for --dry-run. */
export interface ActionRunner {
  run(action: Action, options?: { signal?: AbortSignal }): Promise<ActionResult>;
  releaseAll(): Promise<void>;
}

/** A screenshot as the model will see it (already at the profile's viewport size). */
export interface Shot {
  data: Buffer;
  format: 'png' | 'jpeg' | 'webp';
  mimeType: string;
  width: number;
  height: number;
  settleMs: number;
  captureMs: number;
}

/** Takes the screenshot after the screen has settled. */
export interface ScreenSource {
  capture(signal: AbortSignal): Promise<Shot>;
}

/** Where the session writes as it goes (src/trajectory's RunRecord fits). */
export interface Recorder {
  /** `info`: what the session measured, for the record's screenshot line. */
  screenshot(
    turn: number,
    data: Buffer,
    format: 'png' | 'jpeg' | 'webp',
    info?: {
      at: number;
      width: number;
      height: number;
      settleMs: number;
      captureMs: number;
      totalMs: number;
    },
  ): Promise<string>;
  step(record: Record<string, unknown>): Promise<void>;
  finish(summary: Record<string, unknown>): Promise<void>;
}

export interface SessionOptions {
  task: string;
  provider: 'lightcone' | 'openai';
  model: string;
  client: ResponsesClient;
  actuator: ActionRunner;
  screen: ScreenSource;
  profile: DisplayProfile;
  instructions?: string;
  /** Model requests before the run stops with exit 3 (default 50). */
  maxTurns?: number;
  /** @deprecated the old name of maxTurns. */
  maxSteps?: number;
  /** Actions performed before the run stops with exit 3 (default: no limit). */
  maxActions?: number;
  /**
   * Success needs an explicit ending (terminate success, answer, done, the done function); a run the
   * model ends with a bare message ends `unconfirmed` (exit 6), since "I could not find it" is no success.
   */
  requireDone?: boolean;
  /** Total tokens before the run stops with exit 3. */
  tokenBudget?: number;
  stream?: boolean;
  /** false: stateless, resend the history each turn (servers that do not store responses). */
  chain?: boolean;
  /** Stateless mode: screenshots kept in the resent history (older ones are blanked). */
  keepScreenshots?: number;
  /** Decides on pending safety checks; resolves true to go on. */
  approveSafetyChecks?: (checks: SafetyCheck[]) => Promise<boolean>;
  dryRun?: boolean;
  recorder?: Recorder;
  /** OpenAI: the computer tool variant (default: from the model name, see openai.toolForModel). */
  openaiTool?: 'computer_use_preview' | 'computer';
  /** Lightcone: offer the `done` function tool (default true, as the newest official examples). */
  doneTool?: boolean;
  /** Lightcone: how screenshots answer calls (default input_image with detail auto). */
  screenshotOutput?: ScreenshotOutputType;
  /** How long a cancel may wait for the server's answer before the run ends anyway. */
  cancelTimeoutMs?: number;
  runId?: string;
  /** Where the run record is written, for the run.started event. */
  recordDir?: string;
  /** The X display the run works on, for the run.started event. */
  displayName?: string;
  /**
   * Typed secrets: a `type` action's `{{NAME}}` is replaced by the value just before it is typed. The
   * model, the events and the record only ever see the placeholder.
   */
  secrets?: Record<string, string>;
  /** Pause (or stop) when a person uses the desktop (action-gate.ts, takeover.ts). */
  takeover?: TakeoverOptions;
  /** What the model may do, checked before each action (src/policy). */
  policy?: PolicyOptions;
}

export interface Session {
  readonly runId: string;
  /** Run events in order; ends after run.finished. */
  readonly events: AsyncIterable<RunEvent>;
  /** Resolves when the run is over (never rejects). */
  readonly result: Promise<RunResult>;
  /**
   * Stops the run: aborts the stream, cancels the response on the server, releases held input. The
   * reason sets the exit code (STOP_EXIT_CODES); `message` replaces the recorded "cancelled (reason)".
   */
  cancel(reason?: StopReason, message?: string): void;
}

const EXIT_CODES: Record<Outcome, number> = {
  success: 0,
  failure: 1,
  api_error: 1,
  action_error: 1,
  safety_refused: 1,
  limit: 3,
  cancelled: 130,
  display_lost: 4,
  unconfirmed: 6,
};

class Finished extends Error {
  constructor(
    readonly outcome: Outcome,
    readonly why?: string,
    readonly answer?: string,
  ) {
    super(why ?? outcome);
  }
}

/** Starts a run: the agent loop on its way; read `events`, await `result`, call `cancel()` to stop. */
export function createSession(options: SessionOptions): Session {
  const runId = options.runId ?? randomUUID();
  const channel = new Channel<RunEvent>();
  const controller = new AbortController();
  let stop: { reason: StopReason; message?: string } | undefined;
  const cancel = (reason: StopReason = 'user', message?: string) => {
    if (stop) return;
    stop = { reason, message };
    controller.abort();
  };
  const loop = new Loop(options, runId, channel, controller.signal, cancel);
  const result = loop.run(() => stop);
  return { runId, events: channel, result, cancel };
}

class Loop {
  private readonly started = performance.now();
  private readonly usage: Usage = { input_tokens: 0, output_tokens: 0, total_tokens: 0 };
  private readonly executed = new Set<string>();
  private readonly guard = new RepeatGuard();
  private steps = 0;
  /** What the model should be told in the next request (clamped points). */
  private readonly notes: string[] = [];
  private turns = 0;
  private stream: ResponseStream | undefined;
  private readonly requests: TurnRequests;
  private readonly redact: (text: string) => string;
  /** A person using the desk, and the policy: asked before each action. */
  private readonly gate: ActionGate;
  /** The client's retries and stream resumes in the current turn, and the time spent acting in it. */
  private requestRetries = { retries: 0, resumes: 0, actionsMs: 0 };

  constructor(
    private readonly options: SessionOptions,
    private readonly runId: string,
    private readonly channel: Channel<RunEvent>,
    private readonly signal: AbortSignal,
    cancel: (reason: StopReason, message?: string) => void,
  ) {
    this.redact = redactor(Object.values(options.secrets ?? {}));
    this.gate = new ActionGate(options, {
      emit: (event) => this.emit(event),
      record: (line) => void this.options.recorder?.step({ at: this.elapsed(), ...line }).catch(() => {}),
      release: () => this.options.actuator.releaseAll(),
      cancel: (message) => cancel('takeover', message),
      turn: () => this.turns,
    });
    this.requests = new TurnRequests({
      ...options,
      stream: options.stream !== false,
      chain: options.chain !== false,
      keepScreenshots: options.keepScreenshots ?? 3,
    });
  }

  async run(stopped: () => { reason: StopReason; message?: string } | undefined): Promise<RunResult> {
    // The client's retries, resumes and fallbacks are part of the run's story: show them as warnings.
    const client = this.options.client.options;
    const log = client.log;
    client.log = (level, message, fields) => {
      log?.(level, message, fields);
      if (fields && 'retry' in fields) this.requestRetries.retries++;
      else if (/resuming|instead of creating/.test(message)) this.requestRetries.resumes++;
      if (level !== 'debug') this.emit({ type: 'warning', message });
    };
    try {
      return await this.runLoop(stopped);
    } finally {
      client.log = log;
      this.gate.close();
    }
  }

  private async runLoop(
    stopped: () => { reason: StopReason; message?: string } | undefined,
  ): Promise<RunResult> {
    let outcome: Outcome = 'success';
    let message: string | undefined;
    let answer: string | undefined;
    try {
      answer = await this.loop();
    } catch (error) {
      if (this.signal.aborted) {
        const stop = stopped() ?? { reason: 'user' };
        outcome = stop.reason === 'display-lost' ? 'display_lost' : 'cancelled';
        message = stop.message ?? `cancelled (${stop.reason})`;
      } else if (error instanceof Finished) {
        outcome = error.outcome;
        message = error.why;
        answer = error.answer;
      } else if (error instanceof ApiError || error instanceof ProtocolError) {
        outcome = 'api_error';
        message = error.message;
      } else {
        outcome = 'action_error';
        message = error instanceof Error ? error.message : String(error);
      }
    }
    const stop = outcome === 'cancelled' || outcome === 'display_lost' ? stopped() : undefined;
    if (stop) await this.cancelOnServer();
    await this.options.actuator.releaseAll().catch((error: unknown) => {
      this.emit({ type: 'warning', message: `could not release held input: ${(error as Error).message}` });
    });
    const exitCode = stop ? STOP_EXIT_CODES[stop.reason] : EXIT_CODES[outcome];
    const result: RunResult = {
      runId: this.runId,
      recordDir: this.options.recordDir,
      outcome,
      exitCode,
      result: answer,
      message,
      steps: this.steps,
      turns: this.turns,
      usage: { ...this.usage },
      durationMs: performance.now() - this.started,
    };
    await this.options.recorder
      ?.finish({ ...result, endedAt: new Date().toISOString() })
      .catch((error: unknown) =>
        this.emit({ type: 'warning', message: `run record: ${(error as Error).message}` }),
      );
    this.emit({ type: 'run.finished', ...result });
    this.channel.close();
    return result;
  }

  /** The turns, until the model ends the task; returns the answer. Throws Finished for other endings. */
  private async loop(): Promise<string | undefined> {
    const { options } = this;
    this.emit({
      type: 'run.started',
      startedAt: new Date().toISOString(),
      runId: this.runId,
      task: options.task,
      provider: options.provider,
      model: options.model,
      profile: options.profile,
      recordDir: options.recordDir,
      display: options.displayName,
    });
    this.notes.push(...(await this.gate.settle(this.signal)));
    let shot = await this.screenshot(0);
    let body = this.requests.first(options.task, dataUrl(shot));
    const maxTurns = options.maxTurns ?? options.maxSteps ?? 50;
    for (;;) {
      if (this.turns >= maxTurns) {
        throw new Finished('limit', `stopped: the turn limit was reached (${plural(maxTurns, 'turn')})`);
      }
      this.turns++;
      this.emit({
        type: 'turn.started',
        turn: this.turns,
        previousResponseId: body.previous_response_id as string | undefined,
      });
      const turn = await this.turn(body);
      if (turn.ending) {
        if (turn.ending.outcome === 'failure')
          throw new Finished('failure', 'the model ended the task as failed', turn.ending.result);
        return turn.ending.result ?? finalText(turn.response);
      }
      if (turn.calls.length === 0 && turn.functionOutputs.length === 0) {
        const text = finalText(turn.response);
        if (!options.requireDone) return text;
        throw new Finished(
          'unconfirmed',
          'the model stopped without saying the task is done (--require-done)',
          text,
        );
      }
      // A person used the desk: wait until it is idle again, and tell the model in this request.
      this.notes.push(...(await this.gate.settle(this.signal)));
      shot = await this.screenshot(this.turns);
      const verdict = this.guard.observe(turn.actions, shot.data);
      const messages = [...turn.rejections, ...this.notes.splice(0)];
      if (verdict.stop) {
        throw new Finished(
          'limit',
          `stopped: the same actions repeated ${verdict.repeats} times on an unchanged screen`,
        );
      }
      if (verdict.nudge) {
        const nudge = `Your last ${verdict.repeats + 1} turns did the same thing and the screen did not change. Try a different approach.`;
        this.emit({ type: 'nudge', turn: this.turns, message: nudge });
        messages.push(nudge);
      }
      body = this.requests.next(turn, dataUrl(shot), messages);
    }
  }

  /** One request and its response: acts on each computer_call as soon as it is complete. */
  private async turn(body: Record<string, unknown>) {
    const { options } = this;
    const calls: { call: ComputerCall; acknowledged: SafetyCheck[] }[] = [];
    const functionOutputs: FunctionOutput[] = [];
    const actions: Action[] = [];
    const rejections: string[] = [];
    let ending: { outcome: 'success' | 'failure'; result?: string } | undefined;
    let responseId = '';
    const sent = performance.now();
    let firstActionMs: number | undefined;
    this.requestRetries = { retries: 0, resumes: 0, actionsMs: 0 };

    const handleCall = async (item: unknown) => {
      const call = toComputerCall(item as Parameters<typeof toComputerCall>[0], options.provider);
      // A call_id runs once, whatever the stream does (resumes, replays, the final response).
      if (this.executed.has(call.callId)) return;
      this.executed.add(call.callId);
      // A finished item may still say in_progress (servers differ); the official harness acts on it.
      if (call.status === 'incomplete')
        this.emit({
          type: 'warning',
          message: `computer_call ${call.callId} is marked incomplete; performing it as sent`,
        });
      const acknowledged = await this.safetyChecks(call);
      calls.push({ call, acknowledged });
      for (const parsed of call.actions) {
        if (!parsed.ok) {
          const message = `Action not performed: ${parsed.error.message}`;
          rejections.push(message);
          this.emit({ type: 'action.rejected', turn: this.turns, callId: call.callId, message });
          await options.recorder?.step({
            type: 'rejected',
            turn: this.turns,
            responseId,
            callId: call.callId,
            message,
          });
          continue;
        }
        if (parsed.action.type === 'end') {
          ending = { outcome: parsed.action.outcome, result: parsed.action.result };
          continue;
        }
        actions.push(parsed.action);
        firstActionMs ??= performance.now() - sent;
        const acting = performance.now();
        await this.perform(parsed.action, responseId, call.callId);
        this.requestRetries.actionsMs += performance.now() - acting;
      }
    };

    const handleItem = async (item: { type: string }) => {
      if (item.type === 'computer_call') await handleCall(item);
      else if (item.type === 'function_call') {
        const call = item as FunctionCallItem;
        if (this.executed.has(call.call_id)) return;
        this.executed.add(call.call_id);
        const done = doneCall(call);
        if (done) ending = { outcome: 'success', result: done.result };
        else {
          const output = `deskhand has no function named ${JSON.stringify(call.name)}; use the computer tool.`;
          functionOutputs.push({ callId: call.call_id, output });
          rejections.push(output);
        }
      }
    };

    let response: ResponseObject | undefined;
    if (this.requests.isStreaming) {
      const stream = options.client.stream(body, { signal: this.signal });
      this.stream = stream;
      try {
        for await (const event of stream) {
          if (!responseId && stream.responseId) {
            responseId = stream.responseId;
            this.emit({ type: 'response.created', turn: this.turns, responseId });
          }
          if (event.type === 'response.reasoning_summary_text.delta') {
            this.emit({
              type: 'reasoning.delta',
              turn: this.turns,
              delta: (event as { delta: string }).delta,
            });
          } else if (event.type === 'response.output_item.done') {
            const item = (event as { item: { type: string } }).item;
            this.narrate(item);
            await handleItem(item);
          }
        }
        response = stream.response as ResponseObject;
        this.stream = undefined;
      } catch (error) {
        // Left set on other errors: the way out (cancel) still needs the stream to cancel its response.
        if (!(error instanceof UnusableStreamError)) throw error;
        this.stream = undefined;
        // Nothing of it was acted on: ask once more without streaming, and stay so for the run.
        this.emit({
          type: 'warning',
          message: `${error.message}; continuing without streaming for the rest of the run`,
        });
        body = this.requests.withoutStreaming(body);
      }
    }
    if (!response) {
      response = await options.client.create(body, { signal: this.signal });
      responseId = response.id;
      this.emit({ type: 'response.created', turn: this.turns, responseId });
      for (const item of response.output ?? []) this.narrate(item);
    }
    const status = normalizeStatus(response.status);
    // Items a garbled frame hid from the stream are in the final response: act on those too. A stopped
    // response's items may be half made: those are not acted on.
    if (status !== 'failed' && status !== 'cancelled')
      for (const item of response.output ?? []) await handleItem(item);
    await options.recorder
      ?.step({
        type: 'request',
        at: Math.round(sent - this.started),
        turn: this.turns,
        responseId: response.id,
        streamed: this.requests.isStreaming,
        firstActionMs,
        responseMs: performance.now() - sent,
        ...this.requestRetries,
        usage: (response as { usage?: unknown }).usage ?? undefined,
      })
      .catch(() => {});
    this.countUsage(response);
    if (status === 'failed' || status === 'cancelled') {
      const error = describeServerError((response as { error?: unknown }).error);
      throw new Finished('api_error', `the response ${response.id} ${status}${error ? `: ${error}` : ''}`);
    }
    if (status === 'incomplete' && calls.length === 0) {
      throw new Finished('api_error', `the response ${response.id} is incomplete and asks for nothing`);
    }
    return { response, calls, functionOutputs, actions, rejections, ending };
  }

  /** Performs one action (or describes it, in a dry run) and records it before anything else happens. */
  private async perform(action: Action, responseId: string, callId: string) {
    // Stopped while the action was on its way here: neither start nor record it.
    if (this.signal.aborted) throw new AbortError('cancelled');
    const { profile } = this.options;
    for (const point of pointsOf(action)) {
      const check = checkModelPoint(point, profile);
      if (check.clamped && check.note) {
        this.emit({ type: 'warning', message: check.note });
        // The model must learn it too, or it will aim off the screen again.
        this.notes.push(`Note: ${check.note}`);
      }
    }
    const onScreen = mapPoints(action, (p) => {
      const s = toScreen(p, profile);
      return { x: s.x, y: s.y };
    });
    const screenPoints: Point[] = pointsOf(onScreen);
    const refused = await this.gate.refusal(onScreen, { responseId, callId }, this.signal);
    if (refused) {
      this.notes.push(refused);
      return;
    }
    const maxActions = this.options.maxActions;
    if (maxActions !== undefined && this.steps >= maxActions)
      throw new Finished('limit', `stopped: the action limit was reached (${plural(maxActions, 'action')})`);
    this.steps++;
    const step = this.steps;
    const startedAt = new Date().toISOString();
    const what = {
      step,
      turn: this.turns,
      responseId,
      callId,
      action,
      modelPoints: pointsOf(action),
      screenPoints,
    };
    // The line before the action: a run killed mid-action (even by SIGKILL) shows what was in flight;
    // written before the event, so whoever sees action.started knows the record has it.
    await this.options.recorder?.step({ type: 'action.started', ...what, startedAt });
    this.emit({
      type: 'action.started',
      ...what,
      description: describeAction(onScreen, screenPoints),
      dryRun: this.options.dryRun ?? false,
    });
    const began = performance.now();
    let error: string | undefined;
    let interrupted = false;
    try {
      if (!this.options.dryRun)
        ({ interrupted } = await this.raceAbort(
          this.gate.run(step, this.signal, (signal) =>
            this.options.actuator.run(withSecrets(onScreen, this.options.secrets), { signal }),
          ),
        ));
      this.gate.performed(onScreen);
    } catch (thrown) {
      if (this.signal.aborted) throw thrown;
      error = this.redact(thrown instanceof Error ? thrown.message : String(thrown));
    }
    const durationMs = performance.now() - began;
    this.emit({ type: 'action.finished', step, callId, durationMs, ok: !error, error });
    await this.options.recorder?.step({
      type: 'action',
      ...what,
      startedAt,
      durationMs,
      ok: !error,
      error,
      ...(interrupted ? { interrupted: 'stopped part-way: a person used the desktop' } : {}),
    });
    if (error)
      throw new Finished(
        'action_error',
        `could not perform "${describeAction(onScreen, screenPoints)}": ${error}`,
      );
  }

  private async safetyChecks(call: ComputerCall): Promise<SafetyCheck[]> {
    if (call.pendingSafetyChecks.length === 0) return [];
    const approve = this.options.approveSafetyChecks ?? (async () => false);
    const approved = await approve(call.pendingSafetyChecks);
    this.emit({ type: 'safety_check', callId: call.callId, checks: call.pendingSafetyChecks, approved });
    if (!approved) {
      const what = call.pendingSafetyChecks.map((c) => c.message ?? c.code ?? c.id).join('; ');
      throw new Finished(
        'safety_refused',
        `the model asked for approval of a safety check that was not given: ${what} ` +
          '(answer y on a terminal, or pass --ack-safety-checks always to approve without one)',
      );
    }
    return call.pendingSafetyChecks;
  }

  private async screenshot(turn: number): Promise<Shot> {
    this.gate.screenshotStarting();
    const began = performance.now();
    const shot = await this.raceAbort(this.options.screen.capture(this.signal));
    const totalMs = performance.now() - began;
    const { width, height, settleMs, captureMs } = shot;
    const at = Math.round(performance.now() - this.started);
    const path = await this.options.recorder?.screenshot(turn, shot.data, shot.format, {
      at,
      width,
      height,
      settleMs,
      captureMs,
      totalMs,
    });
    this.emit({
      type: 'screenshot',
      turn,
      width: shot.width,
      height: shot.height,
      bytes: shot.data.length,
      settleMs: shot.settleMs,
      captureMs: shot.captureMs,
      path,
    });
    return shot;
  }

  private narrate(item: { type: string }) {
    if (item.type === 'reasoning') {
      const text = ((item as { summary?: { text?: string }[] }).summary ?? [])
        .map((p) => p.text ?? '')
        .join('\n');
      if (text) this.emit({ type: 'reasoning', turn: this.turns, text });
    } else if (item.type === 'message') {
      const text = finalText({ output: [item] } as Parameters<typeof finalText>[0]);
      if (text) this.emit({ type: 'message', turn: this.turns, text });
    }
  }

  private countUsage(response: ResponseObject) {
    const usage = (response as { usage?: Partial<Usage> | null }).usage;
    if (!usage) return;
    const turnUsage = {
      input_tokens: usage.input_tokens ?? 0,
      output_tokens: usage.output_tokens ?? 0,
      total_tokens: usage.total_tokens ?? (usage.input_tokens ?? 0) + (usage.output_tokens ?? 0),
    };
    this.usage.input_tokens += turnUsage.input_tokens;
    this.usage.output_tokens += turnUsage.output_tokens;
    this.usage.total_tokens += turnUsage.total_tokens;
    this.emit({ type: 'usage', turn: this.turns, usage: turnUsage, total: { ...this.usage } });
    const budget = this.options.tokenBudget;
    if (budget !== undefined && this.usage.total_tokens >= budget) {
      throw new Finished('limit', `stopped: token budget reached (${this.usage.total_tokens} of ${budget})`);
    }
  }

  /** Closes the stream at once; asks the server to cancel the response if it may still run. */
  private async cancelOnServer() {
    const stream = this.stream;
    if (!stream) return;
    const timeout = this.options.cancelTimeoutMs ?? 2000;
    const result = await Promise.race([
      stream.cancel(),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeout).unref()),
    ]).catch(() => undefined);
    if (result)
      this.emit({ type: 'server.cancel', responseId: stream.responseId ?? '', outcome: result.outcome });
  }

  /** Rejects as soon as the run is cancelled, without waiting for the work (the abort handles it). */
  private raceAbort<T>(work: Promise<T>): Promise<T> {
    if (this.signal.aborted) {
      work.catch(() => {}); // its failure is moot now, and must not surface as an unhandled rejection
      return Promise.reject(new AbortError('cancelled'));
    }
    let onAbort = () => {};
    const aborted = new Promise<T>((_, reject) => {
      onAbort = () => reject(new AbortError('cancelled'));
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
    return Promise.race([work, aborted]).finally(() => this.signal.removeEventListener('abort', onAbort));
  }

  private elapsed(): number {
    return Math.round(performance.now() - this.started);
  }

  private emit(event: RunEventInput) {
    const full = { at: this.elapsed(), ...event } as RunEvent;
    // Warnings (retries, resumes, a fallback, a clamped point) and what the model said belong in the
    // record too: the report shows them at the step they led to.
    const recorder = this.options.recorder;
    if (full.type === 'warning')
      recorder
        ?.step({ type: 'warning', at: full.at, turn: this.turns, message: full.message })
        .catch(() => {});
    else if (full.type === 'reasoning' || full.type === 'message')
      recorder?.step({ type: full.type, at: full.at, turn: full.turn, text: full.text }).catch(() => {});
    else if (full.type === 'nudge' || full.type === 'safety_check')
      recorder?.step({ ...full, turn: this.turns }).catch(() => {});
    this.channel.push(full);
  }
}

/** The action as it is performed: `{{NAME}}` in typed text and URLs replaced by the secret's value. */
export function withSecrets(action: Action, secrets: Record<string, string> | undefined): Action {
  if (!secrets) return action;
  if (action.type === 'navigate') return { ...action, url: fill(action.url, secrets) };
  if (action.type === 'type' || action.type === 'point_and_type')
    return { ...action, text: fill(action.text, secrets) };
  return action;
}

/** `{{NAME}}` replaced by the secret's value (an unknown name stays as it is). */
function fill(text: string, secrets: Record<string, string>): string {
  return text.replace(/\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}/g, (whole, name: string) => secrets[name] ?? whole);
}

function dataUrl(shot: Shot): string {
  return `data:${shot.mimeType};base64,${shot.data.toString('base64')}`;
}
