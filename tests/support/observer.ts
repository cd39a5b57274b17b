import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** One X event as the observer application received it (root-window coordinates). */
export interface ObservedEvent {
  type: string;
  button?: number;
  x?: number;
  y?: number;
  state?: number;
  keysym?: string;
  char?: string;
  value?: string;
  width?: number;
  height?: number;
}

export const ShiftMask = 1;
export const ControlMask = 4;
export const Button1Mask = 256;

const script = fileURLToPath(new URL('./observer.py', import.meta.url));

/** The Tk observer app (tests/support/observer.py) running on an X display. */
export class Observer {
  readonly events: ObservedEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private stderr = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.trim()) this.events.push(JSON.parse(line) as ObservedEvent);
        newline = buffer.indexOf('\n');
      }
      for (const wake of this.waiters) wake();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
  }

  static async start(display: string): Promise<Observer> {
    const child = spawn('/usr/bin/python3', [script], {
      env: { ...process.env, DISPLAY: display, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
    });
    const observer = new Observer(child);
    await observer.waitFor((e) => e.type === 'ready', 10_000);
    return observer;
  }

  /** Resolves with the first event (after `from`) matching the predicate, or throws after the timeout. */
  waitFor(predicate: (event: ObservedEvent) => boolean, timeoutMs = 5000, from = 0): Promise<ObservedEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.slice(from).find(predicate);
        if (found) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve(found);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(`observer: no matching event within ${timeoutMs} ms; stderr: ${this.stderr.slice(-500)}`),
        );
      }, timeoutMs);
      if (!check()) this.waiters.add(check);
    });
  }

  /** Events received since index `from` (use `mark()` before acting). */
  since(from: number): ObservedEvent[] {
    return this.events.slice(from);
  }

  mark(): number {
    return this.events.length;
  }

  /** The text widget's content, read after every event sent before this call has been handled. */
  async text(): Promise<string> {
    const from = this.mark();
    this.child.stdin.write('text\n');
    const event = await this.waitFor((e) => e.type === 'text', 5000, from);
    return event.value ?? '';
  }

  async clear(): Promise<void> {
    const from = this.mark();
    this.child.stdin.write('clear\n');
    await this.waitFor((e) => e.type === 'cleared', 5000, from);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end('quit\n');
    setTimeout(() => this.child.kill('SIGKILL'), 2000).unref();
    await exited;
  }
}
