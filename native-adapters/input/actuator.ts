import { type Action, type Point, pointsOf } from '../../src/protocol/actions.js';
import { HeldInput } from './held-input.js';
import { type InputDriver, InputError, type MouseButton } from './input-driver.js';

export interface ActuatorOptions {
  /** Scroll amounts are divided by this to get wheel notches (1 = the amounts are notches). */
  pixelsPerNotch?: number;
  /** Pause between the clicks of a double or triple click. */
  clickGapMs?: number;
  /** Distance between the intermediate pointer positions of a drag. */
  dragStepPx?: number;
  /** Pause between drag steps, so applications see the motion. */
  dragStepMs?: number;
  /** Pause after pressing held modifiers before the pointer action, and after the button goes down. */
  settleInputMs?: number;
}

/** The most wheel notches one scroll sends on each axis: a model's 1e8 must not tie up the process. */
export const MAX_SCROLL_NOTCHES = 1000;

export interface ActionResult {
  type: Action['type'];
  /** Set when an amount was cut to its maximum (MAX_SCROLL_NOTCHES, MAX_WAIT_MS): what was asked and done. */
  clamped?: string;
  /** Where the pointer ended, in screen pixels, for pointer actions. */
  pointer?: Point;
  durationMs: number;
}

/** The longest `wait` an action may ask for; more is cut to this (the model can ask again). */
export const MAX_WAIT_MS = 60_000;

/** Sleeps; an abort ends the sleep early (resolving: the caller notices the abort itself). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (!(ms > 0) || signal?.aborted) return Promise.resolve();
  // setTimeout takes at most 2^31-1 ms; more fires at once with a TimeoutOverflowWarning on stderr.
  ms = Math.min(ms, 2 ** 31 - 1);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs canonical actions, in screen pixels, through an InputDriver. Everything it presses is recorded
 * in one HeldInput registry, so any exit path can release it (see exit-guard.ts).
 */
export class Actuator {
  readonly held = new HeldInput();
  private readonly options: Required<ActuatorOptions>;
  /** The signal of the action running now (see run). */
  private signal: AbortSignal | undefined;
  /** What the action running now had cut to a maximum (see run). */
  private clamped: string | undefined;

  constructor(
    readonly driver: InputDriver,
    options: ActuatorOptions = {},
  ) {
    this.options = {
      pixelsPerNotch: options.pixelsPerNotch ?? 100,
      clickGapMs: options.clickGapMs ?? 30,
      dragStepPx: options.dragStepPx ?? 20,
      dragStepMs: options.dragStepMs ?? 4,
      settleInputMs: options.settleInputMs ?? 0,
    };
  }

  /**
   * Runs one action. An abort of `signal` stops it between events: a `wait`, a `type` between characters,
   * a scroll between notches (a cancelled run must not sit out a long action).
   */
  async run(action: Action, options: { signal?: AbortSignal } = {}): Promise<ActionResult> {
    const started = performance.now();
    this.checkOnScreen(action);
    this.signal = options.signal;
    this.clamped = undefined;
    await this.perform(action);
    await this.driver.flush();
    const isPointer = [
      'click',
      'move',
      'drag',
      'mouse_down',
      'mouse_up',
      'scroll',
      'point_and_type',
    ].includes(action.type);
    return {
      type: action.type,
      ...(this.clamped ? { clamped: this.clamped } : {}),
      pointer: isPointer ? await this.driver.pointer() : undefined,
      durationMs: performance.now() - started,
    };
  }

  /** Releases every key and button this actuator holds, last pressed first. */
  async releaseAll(): Promise<void> {
    for (const button of this.held.buttons()) {
      await this.driver.buttonUp(button);
      this.held.releaseButton(button);
    }
    for (const key of this.held.keys().reverse()) {
      await this.driver.keyUp(key);
      this.held.releaseKey(key);
    }
    await this.driver.flush();
  }

  /** Synchronous last resort for the process 'exit' event. */
  releaseNow(): void {
    this.driver.releaseNow(this.held.keys(), this.held.buttons());
  }

  async close(): Promise<void> {
    await this.releaseAll();
    await this.driver.close();
  }

  private async perform(action: Action): Promise<void> {
    switch (action.type) {
      case 'click':
        return this.withKeys(action.keys, async () => {
          await this.driver.moveTo(action.x, action.y);
          for (let i = 0; i < action.count; i++) {
            if (i > 0) await sleep(this.options.clickGapMs);
            await this.buttonDown(action.button);
            await this.buttonUp(action.button);
          }
        });
      case 'move':
        return this.withKeys(action.keys, () => this.driver.moveTo(action.x, action.y));
      case 'mouse_down':
        if (action.x !== undefined && action.y !== undefined) await this.driver.moveTo(action.x, action.y);
        return this.buttonDown(action.button);
      case 'mouse_up':
        if (action.x !== undefined && action.y !== undefined) await this.driver.moveTo(action.x, action.y);
        return this.buttonUp(action.button);
      case 'drag':
        return this.withKeys(action.keys, () => this.drag(action.path, action.button));
      case 'scroll':
        return this.withKeys(action.keys, async () => {
          if (action.x !== undefined && action.y !== undefined) await this.driver.moveTo(action.x, action.y);
          const x = this.notches(action.scrollX);
          const y = this.notches(action.scrollY);
          await this.driver.scroll(x, y, this.signal);
        });
      case 'type':
        return this.driver.typeText(action.text, this.signal);
      case 'keypress':
        return this.withKeys(action.keys, async () => {});
      case 'key_down':
        for (const key of action.keys) await this.keyDown(key);
        return;
      case 'key_up':
        for (const key of [...action.keys].reverse()) await this.keyUp(key);
        return;
      case 'wait':
        if (action.ms > MAX_WAIT_MS) this.clamped = `wait of ${action.ms} ms cut to ${MAX_WAIT_MS} ms`;
        return sleep(Math.min(action.ms, MAX_WAIT_MS), this.signal);
      case 'navigate':
        // A desktop has no single browser to steer: focus the address bar of the focused one and go.
        await this.withKeys(['ctrl', 'l'], async () => {});
        await this.driver.typeText(action.url, this.signal);
        if (this.signal?.aborted) return;
        return this.withKeys(['enter'], async () => {});
      case 'point_and_type':
        await this.perform({ type: 'click', x: action.x, y: action.y, button: 'left', count: 1 });
        return this.driver.typeText(action.text, this.signal);
      case 'screenshot':
      case 'end':
        return;
    }
  }

  /** Presses keys in order, runs the body, releases in reverse; released even when the body throws. */
  private async withKeys(keys: string[] | undefined, body: () => Promise<void>): Promise<void> {
    const pressed: string[] = [];
    try {
      for (const key of keys ?? []) {
        if (this.held.hasKey(key)) continue;
        await this.keyDown(key);
        pressed.push(key);
      }
      if (pressed.length > 0) await sleep(this.options.settleInputMs);
      await body();
    } finally {
      for (const key of pressed.reverse()) await this.keyUp(key);
    }
  }

  private async drag(path: Point[], button: MouseButton): Promise<void> {
    const [first, ...rest] = path;
    if (!first) return;
    await this.driver.moveTo(first.x, first.y);
    await this.buttonDown(button);
    try {
      await sleep(this.options.dragStepMs);
      let from = first;
      for (const to of rest) {
        const steps = Math.max(
          2,
          Math.ceil(Math.hypot(to.x - from.x, to.y - from.y) / this.options.dragStepPx),
        );
        for (let i = 1; i <= steps; i++) {
          await this.driver.moveTo(
            from.x + ((to.x - from.x) * i) / steps,
            from.y + ((to.y - from.y) * i) / steps,
          );
          await this.driver.flush();
          await sleep(this.options.dragStepMs);
        }
        from = to;
      }
    } finally {
      await this.buttonUp(button);
    }
  }

  private notches(amount: number): number {
    if (amount === 0 || Number.isNaN(amount)) return 0;
    // Any non-zero request scrolls at least one notch in its direction; none more than the maximum.
    const wanted = Math.max(1, Math.round(Math.abs(amount) / this.options.pixelsPerNotch));
    if (!(wanted <= MAX_SCROLL_NOTCHES)) {
      const asked = Number.isFinite(wanted)
        ? `${wanted} notches`
        : `${amount} at ${this.options.pixelsPerNotch} px per notch`;
      this.clamped = `scroll of ${asked} cut to ${MAX_SCROLL_NOTCHES} notches`;
    }
    return Math.sign(amount) * Math.min(wanted, MAX_SCROLL_NOTCHES);
  }

  private async keyDown(key: string) {
    this.held.pressKey(key);
    await this.driver.keyDown(key);
  }

  private async keyUp(key: string) {
    await this.driver.keyUp(key);
    this.held.releaseKey(key);
  }

  private async buttonDown(button: MouseButton) {
    this.held.pressButton(button);
    await this.driver.buttonDown(button);
  }

  private async buttonUp(button: MouseButton) {
    await this.driver.buttonUp(button);
    this.held.releaseButton(button);
  }

  private checkOnScreen(action: Action) {
    const { width, height } = this.driver.screenSize();
    for (const p of pointsOf(action)) {
      if (!(p.x >= 0 && p.y >= 0 && p.x <= width - 1 && p.y <= height - 1)) {
        throw new InputError(
          `${action.type} at (${p.x}, ${p.y}) is off screen: the display is ${width}x${height}, so x must be 0..${width - 1} and y 0..${height - 1}. ` +
            'If these are 0-999 grid coordinates, pass --coords normalized.',
        );
      }
    }
  }
}
