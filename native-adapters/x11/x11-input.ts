import { type InputDriver, InputError, type MouseButton } from '../input/input-driver.js';
import { ClientBarrier } from './client-barrier.js';
import { InputGuardian } from './input-guardian.js';
import { Keymap, type KeyStroke, type RowChange } from './keymap.js';
import { charToKeysym, keysymForKey } from './keysyms.js';
import { FakeEvent, XConnection } from './x11-connection.js';

const BUTTON_NUMBERS: Record<MouseButton, number> = { left: 1, middle: 2, right: 3, back: 8, forward: 9 };
const WHEEL = { up: 4, down: 5, left: 6, right: 7 } as const;
const SHIFT_L = 0xffe1;
/** Characters (or wheel clicks) sent between round trips: where an abort can stop a long action. */
const BATCH = 64;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface X11InputOptions {
  /**
   * How fast we assume the slowest client handles key events; with remapSettleMs it decides when a
   * lent keycode may be reassigned (see keymap.ts). Measured: Tk 0.06 ms/event idle, 0.13 with both
   * cores busy; the default doubles that.
   */
  clientMsPerEvent?: number;
  /** Margin after the modelled client has read a keycode's last use. */
  remapSettleMs?: number;
  /** What a client spends re-reading the keymap after each change (round trips), in the same model. */
  clientMsPerRemap?: number;
  /**
   * How long to wait for the focused application to answer a _NET_WM_PING before a lent keycode is
   * reassigned or restored (see client-barrier.ts); past it, it is taken as hung and we go on.
   */
  proofTimeoutMs?: number;
}

/**
 * Input through XTEST on one connection of the `x11` package: exact typing of any character via the
 * keymap, and mouse, keys and wheel in the order sent (nut-js keeps its own connection, so mixing the
 * two would let the server reorder a held Shift and a click).
 */
export class X11Input implements InputDriver {
  readonly name = 'x11';
  private readonly settleMs: number;
  private readonly msPerEvent: number;
  private readonly msPerRemap: number;
  private readonly proofTimeoutMs: number;
  private barrier: Promise<ClientBarrier> | undefined;
  /** Started when we first press or lend anything: undoes it if this process dies (SIGKILL too). */
  private guardian: InputGuardian | undefined;
  /**
   * When the client will have handled every key event sent so far, modelled as a queue drained at
   * msPerEvent: each event is done msPerEvent after the later of its sending and the previous one.
   */
  private clientDoneAt = 0;
  /** Keys pressed by keyDown, with the stroke used, so keyUp releases the same keycode. */
  private readonly down = new Map<string, KeyStroke>();
  /**
   * The server's auto-repeat is off while we press keys (see quietRepeat); `undefined` until read.
   * Whether it was on before we first turned it off.
   */
  private repeatWasOn: boolean | undefined;
  private repeatOff = false;

  private constructor(
    private readonly connection: XConnection,
    private readonly keymap: Keymap,
    options: X11InputOptions,
  ) {
    this.settleMs = options.remapSettleMs ?? 50;
    this.msPerEvent = options.clientMsPerEvent ?? 0.25;
    this.msPerRemap = options.clientMsPerRemap ?? 10;
    this.proofTimeoutMs = options.proofTimeoutMs ?? 60_000;
  }

  static async open(displayName: string, options: X11InputOptions = {}): Promise<X11Input> {
    const connection = await XConnection.open(displayName);
    const keymap = new Keymap(await connection.keyboardMapping());
    return new X11Input(connection, keymap, options);
  }

  screenSize() {
    return { width: this.connection.width, height: this.connection.height };
  }

  /** The X resource base of our connection: how the input watch (input-watch.ts) knows our input. */
  get clientBase(): number {
    return this.connection.resourceBase;
  }

  async pointer() {
    const state = await this.connection.queryPointer();
    return { x: state.x, y: state.y };
  }

  async moveTo(x: number, y: number) {
    this.connection.fakeInput(FakeEvent.MotionNotify, 0, Math.round(x), Math.round(y));
  }

  async buttonDown(button: MouseButton) {
    this.guarded().mayHoldButton(BUTTON_NUMBERS[button]);
    this.connection.fakeInput(FakeEvent.ButtonPress, BUTTON_NUMBERS[button]);
  }

  async buttonUp(button: MouseButton) {
    this.connection.fakeInput(FakeEvent.ButtonRelease, BUTTON_NUMBERS[button]);
  }

  async keyDown(key: string) {
    if (this.down.has(key)) return;
    const keysym = keysymForKey(key);
    let stroke = this.keymap.strokeFor(keysym);
    if (!stroke || !this.keymap.isOnLayout(keysym)) {
      const reserved = await this.keymap.reserve(keysym, (waitMs) => this.letClientCatchUp(waitMs));
      await this.send(reserved.change);
      stroke = reserved.stroke;
    }
    await this.quietRepeat();
    this.down.set(key, stroke);
    if (stroke.shift) this.press(this.shiftKeycode(), true);
    this.press(stroke.keycode, true);
  }

  async keyUp(key: string) {
    const stroke = this.down.get(key);
    if (!stroke) {
      // Not pressed by us in this process: release it anyway, a key_up must leave the key up.
      const known = this.keymap.strokeFor(keysymForKey(key));
      if (known) this.press(known.keycode, false);
      return;
    }
    this.down.delete(key);
    this.press(stroke.keycode, false);
    if (stroke.shift) this.press(this.shiftKeycode(), false);
    this.keymap.release(keysymForKey(key), this.clientDoneAt + this.settleMs);
    this.restoreRepeat();
  }

  async scroll(notchesX: number, notchesY: number, signal?: AbortSignal) {
    const clicks = async (button: number, count: number) => {
      if (count > 0) this.guarded().mayHoldButton(button);
      for (let i = 0; i < count && !signal?.aborted; i++) {
        this.connection.fakeInput(FakeEvent.ButtonPress, button);
        this.connection.fakeInput(FakeEvent.ButtonRelease, button);
        // A round trip now and then: the event loop stays free (signals, aborts) on long scrolls.
        if (i % BATCH === BATCH - 1) await this.connection.sync();
      }
    };
    await clicks(notchesY > 0 ? WHEEL.down : WHEEL.up, Math.abs(Math.round(notchesY)));
    await clicks(notchesX > 0 ? WHEEL.right : WHEEL.left, Math.abs(Math.round(notchesX)));
  }

  async typeText(text: string, signal?: AbortSignal) {
    await this.quietRepeat();
    try {
      await this.typeKeysyms(Array.from(text.replace(/\r\n/g, '\n'), charToKeysym), signal);
    } finally {
      this.restoreRepeat();
    }
  }

  private async typeKeysyms(keysyms: number[], signal?: AbortSignal) {
    let start = 0;
    while (start < keysyms.length && !signal?.aborted) {
      const plan = this.keymap.planRun(keysyms, start, performance.now());
      if (plan.end === start) {
        throw new InputError(
          `cannot type ${JSON.stringify(String.fromCodePoint(keysyms[start] ?? 0))}: the keyboard layout has no spare keycode to lend it`,
        );
      }
      if (plan.assign.length > 0) {
        // Keycodes about to change meaning: the client must have handled every event typed with them.
        if (plan.reassigns) await this.letClientCatchUp(plan.waitMs, signal);
        if (signal?.aborted) return;
        await this.send(this.keymap.assign(plan.assign));
      }
      let i = start;
      for (; i < plan.end; i++) {
        const keysym = keysyms[i] as number;
        const stroke = this.keymap.strokeFor(keysym) as KeyStroke;
        if (stroke.shift) this.press(this.shiftKeycode(), true);
        this.press(stroke.keycode, true);
        this.press(stroke.keycode, false);
        if (stroke.shift) this.press(this.shiftKeycode(), false);
        // Between characters nothing is held: the place to stop on an abort, and to let the loop run.
        if ((i - start) % BATCH === BATCH - 1) {
          await this.connection.sync();
          if (signal?.aborted) {
            i++;
            break;
          }
        }
      }
      // The whole run counts as the last use of each of its slots: a margin the model does not see
      // (clients re-reading the keymap do several round trips per change).
      const safeAt = this.clientDoneAt + this.settleMs;
      for (let j = start; j < i; j++) this.keymap.markUsed(keysyms[j] as number, safeAt);
      start = i;
      // Keep the socket from buffering far ahead of the server on long texts.
      await this.connection.sync();
    }
  }

  flush() {
    return this.connection.sync();
  }

  releaseNow(keys: string[], buttons: MouseButton[]) {
    try {
      for (const button of buttons)
        this.connection.fakeInput(FakeEvent.ButtonRelease, BUTTON_NUMBERS[button]);
      for (const key of [...keys].reverse()) {
        const stroke = this.down.get(key) ?? this.keymap.strokeFor(keysymForKey(key));
        if (stroke) this.press(stroke.keycode, false);
        if (stroke?.shift) this.press(this.shiftKeycode(), false);
      }
      this.down.clear();
      this.restoreRepeat();
    } catch {
      // The connection is gone; the server released nothing we can reach.
    }
  }

  async close() {
    this.down.clear();
    this.restoreRepeat();
    const restore = this.keymap.restore(performance.now());
    if (restore.change) {
      await this.letClientCatchUp(restore.waitMs);
      await this.send(restore.change);
    }
    await this.connection.sync().catch(() => undefined);
    this.connection.close();
    await this.guardian?.done();
  }

  private guarded(): InputGuardian {
    this.guardian ??= InputGuardian.start(this.connection.displayName);
    return this.guardian;
  }

  /**
   * Waits until clients have handled every earlier press of keycodes about to change meaning: proven by
   * the focused application's answer to a ping when it takes pings (client-barrier.ts), else estimated
   * by the timing model (`waitMs`, see keymap.ts).
   */
  private async letClientCatchUp(waitMs: number, signal?: AbortSignal) {
    await this.connection.sync();
    this.barrier ??= ClientBarrier.open(this.connection);
    const proof = await (await this.barrier).wait(this.proofTimeoutMs, signal).catch(() => 'unsupported');
    if (proof === 'unsupported' && waitMs > 0) await sleep(waitMs);
  }

  /**
   * Turns the server's key auto-repeat off before we press keys. A key repeats when the server handles
   * its release more than the repeat delay (660 ms on Xvfb) after its press, and a loaded server can
   * stall that long between the two requests: measured, a `6` typed once arrived as `66` (press, press
   * 920 ms later, release). deskhand's keys never repeat: a model that wants a key twice presses it
   * twice. The guardian turns repeat back on if we die with it off.
   */
  private async quietRepeat() {
    if (this.repeatOff) return;
    this.repeatWasOn ??= await this.connection.autoRepeat();
    if (!this.repeatWasOn) return;
    this.guarded().autoRepeatOff(true);
    await this.guardian?.heard();
    this.connection.setAutoRepeat(false);
    this.repeatOff = true;
  }

  /** Auto-repeat back on, as it was, once we hold no key (held ones stay quiet until released). */
  private restoreRepeat() {
    if (!this.repeatOff || this.down.size > 0) return;
    this.repeatOff = false;
    try {
      this.connection.setAutoRepeat(true);
    } catch {
      return; // the display is gone; the guardian cannot reach it either
    }
    this.guardian?.autoRepeatOff(false);
  }

  private press(keycode: number, down: boolean) {
    if (down) this.guarded().mayHoldKey(keycode);
    this.clientDoneAt = Math.max(this.clientDoneAt, performance.now()) + this.msPerEvent;
    this.connection.fakeInput(down ? FakeEvent.KeyPress : FakeEvent.KeyRelease, keycode);
  }

  private shiftKeycode(): number {
    const stroke = this.keymap.strokeFor(SHIFT_L);
    if (!stroke) throw new InputError('the keyboard layout has no Shift_L key');
    return stroke.keycode;
  }

  private async send(change: RowChange | undefined) {
    if (!change) return;
    change.rows.forEach((row, i) => {
      const original = this.keymap.originalRow(change.firstKeycode + i);
      if (original) this.guarded().lend(change.firstKeycode + i, original, row);
    });
    // The guardian must hold the new rows before the server does: a SIGKILL in between would leave it
    // a row it never heard of, which it would not dare restore.
    await this.guardian?.heard();
    this.connection.changeKeyboardMapping(change.firstKeycode, change.rows);
    this.clientDoneAt = Math.max(this.clientDoneAt, performance.now()) + this.msPerRemap;
  }
}
