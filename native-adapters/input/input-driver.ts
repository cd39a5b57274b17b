import type { MouseButton } from '../../src/protocol/actions.js';

export type { MouseButton };

/**
 * The smallest set of input primitives an OS must give us; the Actuator builds every action from them.
 * Coordinates are global logical screen pixels. Keys are canonical names (src/protocol/keys.ts).
 */
export interface InputDriver {
  readonly name: string;
  screenSize(): { width: number; height: number };
  pointer(): Promise<{ x: number; y: number }>;
  moveTo(x: number, y: number): Promise<void>;
  buttonDown(button: MouseButton): Promise<void>;
  buttonUp(button: MouseButton): Promise<void>;
  keyDown(key: string): Promise<void>;
  keyUp(key: string): Promise<void>;
  /**
   * Wheel notches; positive x scrolls right, positive y scrolls down. An abort of `signal` stops it
   * between notches.
   */
  scroll(notchesX: number, notchesY: number, signal?: AbortSignal): Promise<void>;
  /**
   * Types text exactly as given, whatever the keyboard layout. An abort of `signal` stops it between
   * characters (within tens of milliseconds), with nothing left held.
   */
  typeText(text: string, signal?: AbortSignal): Promise<void>;
  /** Resolves when the OS has taken every event sent so far. */
  flush(): Promise<void>;
  /**
   * Best-effort release of the given held input without waiting for anything: the last resort on the
   * way out of a dying process (the 'exit' event allows no awaits).
   */
  releaseNow(keys: string[], buttons: MouseButton[]): void;
  close(): Promise<void>;
}

export class InputError extends Error {
  override name = 'InputError';
}
