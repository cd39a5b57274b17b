import { AbortError } from '../client/errors.js';
import type { RunEventInput } from './run-events.js';

/** Input deskhand did not cause (native-adapters/x11/input-watch.ts reports it). */
export interface ForeignInputSource {
  onForeignInput(listener: (input: { kind: 'key' | 'button' | 'motion' }) => void): () => void;
}

export interface TakeoverOptions {
  watch: ForeignInputSource;
  /** pause: stop, wait for the desk to be idle, go on; cancel: end the run (exit 130). */
  mode: 'pause' | 'cancel';
  /** How long the desk must be idle before the run goes on; 0: until waitForResume says so. */
  resumeAfterMs: number;
  /** With resumeAfterMs 0: resolves when a person says go on (Enter on the terminal, SIGUSR1). */
  waitForResume?: (signal: AbortSignal) => Promise<void>;
  /** With resumeAfterMs 0: how a person makes the run go on, for the pause message. */
  resumeHint?: string;
}

export const TAKEOVER_MESSAGE = 'paused: someone is using the desktop';

/** What takeover and the action gate need from the loop. */
export interface GateHooks {
  emit(event: RunEventInput): void;
  record(line: Record<string, unknown>): void;
  /** Releases every key and button deskhand holds. */
  release(): Promise<void>;
  /** Ends the run (--on-takeover cancel). */
  cancel(message: string): void;
  turn(): number;
}

/**
 * Sharing the desk with a person. Any input deskhand did not send pauses the run: the action running
 * stops (a `type` between characters), held input is released, no further action of the model runs
 * until a fresh screenshot was taken after the desk was idle for resumeAfterMs, and the model is told.
 */
export class Takeover {
  /** performance.now() of the latest foreign input. */
  private lastInputAt = -Infinity;
  /** When the screenshot the model is acting on began to be taken. */
  private shotAt = -Infinity;
  private paused: { since: number; input: string; step?: number } | undefined;
  private action: { controller: AbortController; step: number } | undefined;
  private releasing: Promise<void> = Promise.resolve();
  private readonly stopWatching: () => void;
  private interruptedSteps: number[] = [];

  constructor(
    private readonly options: TakeoverOptions,
    private readonly hooks: GateHooks,
  ) {
    this.stopWatching = options.watch.onForeignInput((input) => this.onInput(input.kind));
  }

  close(): void {
    this.stopWatching();
  }

  /** Why an action must not run now (the model saw a screen from before a person acted), or undefined. */
  blocked(): string | undefined {
    if (!this.paused && this.lastInputAt < this.shotAt) return undefined;
    return 'Action not performed: a person used the desktop after the screenshot it was based on; a fresh screenshot follows.';
  }

  /** Runs one action; a person's input aborts it. `interrupted`: it was stopped part-way. */
  async run<T>(step: number, runSignal: AbortSignal, work: (signal: AbortSignal) => Promise<T>) {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    runSignal.addEventListener('abort', onAbort, { once: true });
    this.action = { controller, step };
    try {
      const value = await work(controller.signal);
      return { value, interrupted: controller.signal.aborted && !runSignal.aborted };
    } finally {
      this.action = undefined;
      runSignal.removeEventListener('abort', onAbort);
      if (this.paused) await this.release();
    }
  }

  /** Call as a screenshot for the model begins. */
  screenshotStarting(): void {
    this.shotAt = performance.now();
  }

  /**
   * Before the next screenshot: when a person used the desktop, waits until it has been idle for
   * resumeAfterMs (or a person says go on), and returns what to tell the model; else nothing.
   */
  async settle(signal: AbortSignal): Promise<string[]> {
    if (!this.paused) return [];
    const paused = this.paused;
    await this.release();
    if (this.options.resumeAfterMs === 0) await this.options.waitForResume?.(signal);
    else
      for (;;) {
        const idle = performance.now() - this.lastInputAt;
        if (idle >= this.options.resumeAfterMs) break;
        await sleep(this.options.resumeAfterMs - idle, signal);
      }
    if (signal.aborted) throw new AbortError('cancelled');
    this.paused = undefined;
    const pausedMs = Math.round(performance.now() - paused.since);
    this.hooks.emit({ type: 'takeover.ended', turn: this.hooks.turn(), pausedMs });
    this.hooks.record({ type: 'takeover.ended', turn: this.hooks.turn(), pausedMs });
    const steps = this.interruptedSteps.splice(0);
    return [
      'Note: the user interacted with the desktop while you were working, so deskhand paused' +
        (steps.length > 0 ? ' and stopped your action in progress part-way' : '') +
        ' and did not perform your actions after that. The screen may have changed: look at this fresh screenshot before going on.',
    ];
  }

  private onInput(input: string): void {
    this.lastInputAt = performance.now();
    if (this.paused) return;
    if (this.options.mode === 'cancel') {
      this.paused = { since: this.lastInputAt, input };
      this.action?.controller.abort();
      this.hooks.cancel('cancelled: someone used the desktop (--on-takeover cancel)');
      return;
    }
    const step = this.action?.step;
    this.paused = { since: this.lastInputAt, input, step };
    if (step !== undefined) this.interruptedSteps.push(step);
    const resumes =
      this.options.resumeAfterMs > 0
        ? `when the desktop has been idle for ${this.options.resumeAfterMs / 1000} s`
        : (this.options.resumeHint ?? 'when told to go on');
    const event = { turn: this.hooks.turn(), step, input, message: TAKEOVER_MESSAGE, resumes };
    this.hooks.emit({ type: 'takeover.started', ...event });
    this.hooks.record({ type: 'takeover.started', ...event });
    // The action running stops between events, then releases (see run); nothing running: release now.
    if (this.action) this.action.controller.abort();
    else void this.release();
  }

  private release(): Promise<void> {
    this.releasing = this.releasing.then(() => this.hooks.release()).catch(() => {});
    return this.releasing;
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
