import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What the guardian is told, one JSON line each (see input-guardian-main.ts). */
export type GuardianMessage =
  | { keycode: number }
  | { button: number }
  | { lent: number; original: number[]; set: number[] }
  | { autoRepeatOff: boolean }
  | { done: true };

// From the sources (tests run them through vitest) the compiled script sits under dist/.
const besideUs = new URL('./input-guardian-main.js', import.meta.url);
const script = fileURLToPath(
  existsSync(besideUs)
    ? besideUs
    : new URL('../../dist/native-adapters/x11/input-guardian-main.js', import.meta.url),
);

/**
 * A small process that outlives deskhand on one display: told which keycodes and buttons deskhand may
 * hold and the original rows of the keycodes it lent, it releases those still down and puts the rows
 * back once deskhand is gone without saying `done` (a SIGKILL cannot be caught; the pipe still closes).
 */
export class InputGuardian {
  private readonly keycodes = new Set<number>();
  private readonly buttons = new Set<number>();
  /** The row last told for each lent keycode, so a change repeats nothing the guardian knows. */
  private readonly told = new Map<number, string>();

  private constructor(private readonly child: ChildProcess) {}

  static start(displayName: string): InputGuardian {
    const child = spawn(process.execPath, [script, displayName], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    child.on('error', () => undefined);
    child.stdin?.on('error', () => undefined);
    // Neither the child nor its pipe may keep this process alive.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return new InputGuardian(child);
  }

  mayHoldKey(keycode: number): void {
    if (this.keycodes.has(keycode)) return;
    this.keycodes.add(keycode);
    this.tell({ keycode });
  }

  mayHoldButton(button: number): void {
    if (this.buttons.has(button)) return;
    this.buttons.add(button);
    this.tell({ button });
  }

  /** A lent keycode's row as the layout had it and as deskhand sets it now (sent before the change). */
  lend(keycode: number, original: number[], set: number[]): void {
    if (this.told.get(keycode) === set.join()) return;
    this.told.set(keycode, set.join());
    this.tell({ lent: keycode, original, set });
  }

  /** deskhand turns the server's key auto-repeat off (true; the guardian turns it back on) or back on. */
  autoRepeatOff(off: boolean): void {
    this.tell({ autoRepeatOff: off });
  }

  /**
   * Everything is released and restored: the guardian exits without touching the display. Resolves
   * once every message is in the pipe (at most `timeoutMs`): a busy guardian may be behind, and a
   * `done` still queued in this process when it exits would be lost, making the guardian clean up.
   */
  done(timeoutMs = 2000): Promise<void> {
    this.tell({ done: true });
    const stdin = this.child.stdin;
    if (!stdin || stdin.writableFinished) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      stdin.end(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Resolves once every message is in the pipe, not in this process's buffers (at most `timeoutMs`):
   * a guardian slow to read fills the pipe, and what is still queued here dies with a SIGKILL.
   */
  heard(timeoutMs = 2000): Promise<void> {
    const stdin = this.child.stdin;
    if (!stdin?.writable || stdin.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(finish, timeoutMs);
      function finish() {
        clearTimeout(timer);
        stdin?.off('drain', finish);
        resolve();
      }
      stdin.once('drain', finish);
    });
  }

  private tell(message: GuardianMessage): void {
    if (this.child.stdin?.writable) this.child.stdin.write(`${JSON.stringify(message)}\n`);
  }
}
