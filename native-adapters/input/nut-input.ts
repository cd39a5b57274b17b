import { nativeLoadError } from '../native-library.js';
import { type InputDriver, InputError, type MouseButton } from './input-driver.js';
import { nutKeyFor } from './nut-keys.js';

type Nut = typeof import('@nut-tree-fork/nut-js');

/**
 * Input through nut-js: the portable path (macOS, Windows), where its typing uses the OS's Unicode
 * injection. On X11 the x11 driver is the default (nut-js types shifted punctuation and non-ASCII
 * wrongly there, see DESIGN.md); this driver stays usable there for mouse and keys.
 */
/** Characters or wheel notches per call: where an abort can stop a long action. */
const BATCH = 32;

export class NutInput implements InputDriver {
  readonly name = 'nut';

  private constructor(
    private readonly nut: Nut,
    private readonly size: { width: number; height: number },
  ) {}

  static async open(): Promise<NutInput> {
    let nut: Nut;
    try {
      nut = await import('@nut-tree-fork/nut-js');
    } catch (error) {
      throw nativeLoadError('nut-js input', error);
    }
    // nut-js waits 300 ms per key and 100 ms per mouse action by default; applications need none of it.
    nut.keyboard.config.autoDelayMs = 0;
    nut.mouse.config.autoDelayMs = 0;
    const size = { width: await nut.screen.width(), height: await nut.screen.height() };
    return new NutInput(nut, size);
  }

  screenSize() {
    return this.size;
  }

  async pointer() {
    const p = await this.nut.mouse.getPosition();
    return { x: p.x, y: p.y };
  }

  async moveTo(x: number, y: number) {
    await this.nut.mouse.setPosition(new this.nut.Point(Math.round(x), Math.round(y)));
  }

  async buttonDown(button: MouseButton) {
    await this.nut.mouse.pressButton(this.nutButton(button));
  }

  async buttonUp(button: MouseButton) {
    await this.nut.mouse.releaseButton(this.nutButton(button));
  }

  async keyDown(key: string) {
    await this.nut.keyboard.pressKey(nutKeyFor(key));
  }

  async keyUp(key: string) {
    await this.nut.keyboard.releaseKey(nutKeyFor(key));
  }

  async scroll(notchesX: number, notchesY: number, signal?: AbortSignal) {
    const { mouse } = this.nut;
    // libnut swaps left and right on X11 (scrollRight sends button 6); undo that there.
    const swapped = process.platform === 'linux';
    const right = (n: number) => (swapped ? mouse.scrollLeft(n) : mouse.scrollRight(n));
    const left = (n: number) => (swapped ? mouse.scrollRight(n) : mouse.scrollLeft(n));
    // In batches, so an abort stops a long scroll between notches.
    const inBatches = async (count: number, scroll: (n: number) => Promise<unknown>) => {
      for (let done = 0; done < count && !signal?.aborted; done += BATCH)
        await scroll(Math.min(BATCH, count - done));
    };
    if (notchesY > 0) await inBatches(notchesY, (n) => mouse.scrollDown(n));
    if (notchesY < 0) await inBatches(-notchesY, (n) => mouse.scrollUp(n));
    if (notchesX > 0) await inBatches(notchesX, right);
    if (notchesX < 0) await inBatches(-notchesX, left);
  }

  async typeText(text: string, signal?: AbortSignal) {
    if (process.platform === 'linux' && /[^\x20-\x7e\n\t]|[!@#$%^&*_+{}|:<>?~"A-Z]/.test(text)) {
      throw new InputError(
        'the nut-js driver cannot type shifted or non-ASCII characters on X11; use the default x11 input driver',
      );
    }
    const chars = Array.from(text);
    for (let i = 0; i < chars.length && !signal?.aborted; i += BATCH)
      await this.nut.keyboard.type(chars.slice(i, i + BATCH).join(''));
  }

  async flush() {}

  releaseNow(keys: string[], buttons: MouseButton[]) {
    for (const button of buttons) void this.nut.mouse.releaseButton(this.nutButton(button)).catch(() => {});
    for (const key of [...keys].reverse()) void this.nut.keyboard.releaseKey(nutKeyFor(key)).catch(() => {});
  }

  async close() {}

  private nutButton(button: MouseButton) {
    const { Button } = this.nut;
    if (button === 'left') return Button.LEFT;
    if (button === 'right') return Button.RIGHT;
    if (button === 'middle') return Button.MIDDLE;
    throw new InputError(`the nut-js driver has no ${button} mouse button`);
  }
}
