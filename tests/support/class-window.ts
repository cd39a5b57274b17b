import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./class_window.py', import.meta.url));

export interface WindowEvent {
  type: string;
  x?: number;
  y?: number;
  keysym?: string;
}

/** A Tk window with a chosen WM_CLASS and title (tests/support/class_window.py), and what it received. */
export class ClassWindow {
  readonly events: WindowEvent[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) this.events.push(JSON.parse(line) as WindowEvent);
      for (const wake of this.waiters) wake();
    });
  }

  static async start(
    display: string,
    wmClass: string,
    title: string,
    geometry: string,
  ): Promise<ClassWindow> {
    const child = spawn('/usr/bin/python3', [script, wmClass, title, geometry], {
      env: { ...process.env, DISPLAY: display },
    });
    const window = new ClassWindow(child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${wmClass} window did not start`)), 10_000);
      const check = () => {
        if (!window.events.some((e) => e.type === 'ready')) return;
        clearTimeout(timer);
        window.waiters.delete(check);
        resolve();
      };
      window.waiters.add(check);
    });
    return window;
  }

  /** Input events (not "ready"). */
  received(): WindowEvent[] {
    return this.events.filter((e) => e.type !== 'ready');
  }

  stop(): void {
    this.child.kill();
  }
}
