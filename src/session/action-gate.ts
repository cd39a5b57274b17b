import { type Policy, RateLimit, type TargetWindow, targetOf } from '../policy/index.js';
import { type Action, pointsOf } from '../protocol/actions.js';
import { AbortError } from '../client/errors.js';
import { describeAction } from './describe.js';
import { type GateHooks, Takeover, type TakeoverOptions } from './takeover.js';

export interface PolicyOptions {
  policy: Policy;
  /** Where the policy came from, for messages (the file's path). */
  source?: string;
  /** Finds the window at a screen point and the focused one (native-adapters/x11/window-info.ts). */
  windows?: {
    at(x: number, y: number): Promise<TargetWindow | undefined>;
    focused(): Promise<TargetWindow | undefined>;
  };
  /** Asks a person to allow an action (on a terminal); absent: nobody to ask, so confirm rules refuse. */
  confirm?: (question: string) => Promise<boolean>;
}

/**
 * What stands between the model's action and the desk: a person using it (takeover.ts), and the
 * policy (src/policy). The loop asks it before each action whether the action may run, runs the action
 * through it, and lets it settle before each screenshot.
 */
export class ActionGate {
  private readonly takeover: Takeover | undefined;
  private readonly rate: RateLimit | undefined;

  constructor(
    options: { takeover?: TakeoverOptions; policy?: PolicyOptions },
    private readonly hooks: GateHooks,
    private readonly policy = options.policy,
  ) {
    const release = async () => {
      policy?.policy.released();
      await hooks.release();
    };
    this.takeover = options.takeover ? new Takeover(options.takeover, { ...hooks, release }) : undefined;
    const perMinute = policy?.policy.file.rate?.actionsPerMinute;
    this.rate = perMinute ? new RateLimit(perMinute) : undefined;
  }

  /**
   * Why the action (in screen coordinates) must not run, told to the model, or undefined when it may.
   * A refusal is reported (action.rejected) and recorded here.
   */
  async refusal(
    action: Action,
    where: { responseId: string; callId: string },
    signal: AbortSignal,
  ): Promise<string | undefined> {
    if (action.type === 'end') return undefined;
    const refuse = (message: string, rule?: string) => {
      const line = { turn: this.hooks.turn(), callId: where.callId, message, ...(rule ? { rule } : {}) };
      this.hooks.emit({ type: 'action.rejected', ...line });
      this.hooks.record({ type: 'rejected', ...line, responseId: where.responseId, action });
      return message;
    };
    const blocked = this.takeover?.blocked();
    if (blocked) return refuse(blocked, 'takeover');
    if (!this.policy || action.type === 'wait' || action.type === 'screenshot') return undefined;
    const { policy } = this.policy;
    const windows = policy.needsWindow(action) ? await this.windowsOf(action) : [];
    const decision = policy.decide(action, windows);
    const what = describeAction(action, pointsOf(action));
    if (decision.verdict === 'refuse')
      return refuse(
        `Action not performed (${what}): ${decision.reason}. Do not try it again another way.`,
        decision.rule,
      );
    if (decision.verdict === 'confirm') {
      const question = `${decision.question || 'the policy asks a person to allow this'}: ${what}`;
      const approved = this.policy.confirm ? await this.policy.confirm(question) : false;
      if (signal.aborted) throw new AbortError('cancelled');
      const event = {
        turn: this.hooks.turn(),
        callId: where.callId,
        rule: decision.rule,
        question,
        approved,
      };
      this.hooks.emit({ type: 'policy.confirm', ...event });
      this.hooks.record({ type: 'policy.confirm', ...event });
      if (!approved)
        return refuse(
          `Action not performed (${what}): the policy needs a person's approval for it (${decision.rule}), and ${this.policy.confirm ? 'the person said no' : 'there is no terminal to ask on'}.`,
          decision.rule,
        );
      // The person's answer took a while: the screen may have changed under the model's action.
      const stale = this.takeover?.blocked();
      if (stale) return refuse(stale, 'takeover');
    }
    if (this.rate) {
      const wait = this.rate.waitMs();
      if (wait > 0) {
        this.hooks.emit({
          type: 'warning',
          message: `policy rate.actionsPerMinute ${this.rate.perMinute}: waiting ${(wait / 1000).toFixed(1)} s before the next action`,
        });
        await sleep(wait, signal);
        if (signal.aborted) throw new AbortError('cancelled');
      }
      this.rate.take();
    }
    return undefined;
  }

  /** Runs the action; `interrupted` when a person's input stopped it part-way. */
  async run<T>(step: number, signal: AbortSignal, work: (signal: AbortSignal) => Promise<T>) {
    if (!this.takeover) return { value: await work(signal), interrupted: false };
    return this.takeover.run(step, signal, work);
  }

  /** After an action ran (keys held by key_down count in later chords). */
  performed(action: Action): void {
    this.policy?.policy.performed(action);
  }

  screenshotStarting(): void {
    this.takeover?.screenshotStarting();
  }

  /** Before a screenshot: waits out a person using the desk; what to tell the model about it. */
  settle(signal: AbortSignal): Promise<string[]> {
    return this.takeover?.settle(signal) ?? Promise.resolve([]);
  }

  close(): void {
    this.takeover?.close();
  }

  private async windowsOf(action: Action): Promise<(TargetWindow | undefined)[]> {
    const windows = this.policy?.windows;
    if (!windows) return [];
    if (targetOf(action) === 'keyboard') return [await windows.focused()];
    const points = pointsOf(action);
    // A drag reaches the window where it starts and the one where it ends.
    const reached = action.type === 'drag' ? [points[0], points.at(-1)] : [points[0]];
    return Promise.all(reached.map((p) => (p ? windows.at(p.x, p.y) : windows.focused())));
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.min(ms, 2 ** 31 - 1));
    signal.addEventListener('abort', done, { once: true });
  });
}
