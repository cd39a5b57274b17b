import type { MouseButton } from './input-driver.js';

/**
 * The keys and buttons this process holds down right now, in the order pressed. One registry per
 * actuator; every exit path releases what it lists.
 */
export class HeldInput {
  private readonly heldKeys: string[] = [];
  private readonly heldButtons = new Set<MouseButton>();

  pressKey(key: string): void {
    if (!this.heldKeys.includes(key)) this.heldKeys.push(key);
  }

  releaseKey(key: string): void {
    const index = this.heldKeys.indexOf(key);
    if (index >= 0) this.heldKeys.splice(index, 1);
  }

  hasKey(key: string): boolean {
    return this.heldKeys.includes(key);
  }

  pressButton(button: MouseButton): void {
    this.heldButtons.add(button);
  }

  releaseButton(button: MouseButton): void {
    this.heldButtons.delete(button);
  }

  keys(): string[] {
    return [...this.heldKeys];
  }

  buttons(): MouseButton[] {
    return [...this.heldButtons];
  }

  get empty(): boolean {
    return this.heldKeys.length === 0 && this.heldButtons.size === 0;
  }
}
