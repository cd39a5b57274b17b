import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Point } from '../protocol/actions.js';
import { NOTES_LAYOUT, type NotesWidget } from './layout.js';

export { NOTES_LAYOUT, type NotesWidget };

const GridPointSchema = z.tuple([z.number().int(), z.number().int()]);
const WidgetPointsSchema = z.object({
  title: GridPointSchema,
  notes: GridPointSchema,
  dark: GridPointSchema,
  items: GridPointSchema,
});

export const ReadyMessageSchema = z.object({
  type: z.literal('ready'),
  /** Screen (= window) size in pixels. */
  width: z.number().int(),
  height: z.number().int(),
  /** Each widget's centre on the 0-999 grid, as the app declares it. */
  layout: WidgetPointsSchema,
  /** Each widget's centre in screen pixels, as Tk actually placed it. */
  pixels: WidgetPointsSchema,
});
export type ReadyMessage = z.infer<typeof ReadyMessageSchema>;

export const NotesStateSchema = z.object({
  type: z.literal('state'),
  title: z.string(),
  notes: z.string(),
  dark: z.boolean(),
  /** Index (0-based) of the first visible line of the items list. */
  itemsTop: z.number().int(),
  /** Title and notes as they were at the last Ctrl+S, or null before the first. */
  saved: z.object({ title: z.string(), notes: z.string() }).nullable(),
  /** X keysyms of the keys held down now, sorted. */
  held: z.array(z.string()),
  /** Key presses received since start. */
  presses: z.number().int(),
  focus: z.enum(['title', 'notes', 'items', 'dark']).nullable(),
});
export type NotesState = z.infer<typeof NotesStateSchema>;

const MessageSchema = z.discriminatedUnion('type', [
  ReadyMessageSchema,
  NotesStateSchema,
  z.object({ type: z.literal('error'), message: z.string() }),
]);
type Message = z.infer<typeof MessageSchema>;

export class NotesAppError extends Error {
  override name = 'NotesAppError';
}

export interface NotesAppOptions {
  /** Milliseconds to wait for the window to come up (default 10 000). */
  timeoutMs?: number;
}

const PYTHON = '/usr/bin/python3';
const SETUP_HINT = 'Run ./scripts/setup (it installs python3 and python3-tk).';
const STATE_TIMEOUT_MS = 5000;
const QUIT_GRACE_MS = 1000;

/** demo/notes_app.py of this package, from the source (src/demo) or the build (dist/src/demo). */
export function notesAppScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) {
      const script = join(dir, 'demo', 'notes_app.py');
      if (!existsSync(script)) throw new NotesAppError(`the demo app is missing: expected ${script}`);
      return script;
    }
    if (dirname(dir) === dir) {
      throw new NotesAppError(`no package.json above ${here}: cannot find deskhand's demo/notes_app.py`);
    }
  }
}

interface Waiter {
  resolve: (message: Message) => void;
  reject: (error: Error) => void;
}

/** The demo notes app (demo/notes_app.py) running full-screen on an X display. */
export class NotesApp {
  /** One per request sent, oldest first: the app answers in the order asked. */
  private readonly waiting: Waiter[] = [];
  private failure: Error | undefined;
  private stderr = '';
  private readyMessage: ReadyMessage | undefined;
  private readonly exited: Promise<void>;
  private readonly killOnExit = () => this.child.kill('SIGKILL');

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly display: string,
  ) {
    let buffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line) this.receive(line);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-2000);
    });
    // A dead app's stdin fails its writes with EPIPE; the 'exit' handler reports why it died.
    child.stdin.on('error', () => {});
    this.exited = new Promise((resolve) => {
      child.once('error', (error: NodeJS.ErrnoException) => {
        this.fail(
          new NotesAppError(
            error.code === 'ENOENT'
              ? `${PYTHON} not found: the demo app needs python3 with tkinter. ${SETUP_HINT}`
              : `could not start the demo app with ${PYTHON}: ${error.message}`,
          ),
        );
        resolve();
      });
      child.once('exit', (code, signal) => {
        process.removeListener('exit', this.killOnExit);
        this.fail(new NotesAppError(this.exitMessage(code, signal)));
        resolve();
      });
    });
    process.once('exit', this.killOnExit);
  }

  /** Starts the app on `display` (e.g. ":93") and resolves once its window is up. */
  static async start(display: string, options: NotesAppOptions = {}): Promise<NotesApp> {
    const script = notesAppScript();
    const child = spawn(PYTHON, [script], {
      env: { ...process.env, DISPLAY: display, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
      stdio: 'pipe',
    });
    const app = new NotesApp(child, display);
    const timeoutMs = options.timeoutMs ?? 10_000;
    try {
      const message = await app.next(timeoutMs, `its window to come up on ${display}`);
      app.readyMessage = ReadyMessageSchema.parse(message);
    } catch (error) {
      child.kill('SIGKILL');
      await app.exited;
      throw error;
    }
    return app;
  }

  /** The app's first message: screen size and widget layout. */
  get ready(): ReadyMessage {
    if (!this.readyMessage) throw new NotesAppError('the notes app is not ready yet');
    return this.readyMessage;
  }

  /** A widget's centre in screen pixels, from the layout the app reported. */
  pointOf(widget: NotesWidget): Point {
    const [x, y] = this.ready.layout[widget];
    return { x: Math.round((x / 1000) * this.ready.width), y: Math.round((y / 1000) * this.ready.height) };
  }

  /** The app's state after it has handled every X event sent to it before this call. */
  async state(): Promise<NotesState> {
    const answer = this.next(STATE_TIMEOUT_MS, 'its answer to "state"');
    this.child.stdin.write('state\n');
    const message = await answer;
    if (message.type !== 'state') {
      throw new NotesAppError(`the notes app answered "state" with ${JSON.stringify(message)}`);
    }
    return message;
  }

  /** Asks the app to quit; kills it if it has not exited within a second. */
  async close(): Promise<void> {
    this.fail(new NotesAppError('the notes app is closed'));
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.stdin.end('quit\n');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), QUIT_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
    }
  }

  /** The next message the app sends, for one request made by the caller right after this call. */
  private next(timeoutMs: number, what: string): Promise<Message> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // Stay in the queue, so the late answer is taken by this waiter and not the next one.
        waiter.resolve = () => {};
        waiter.reject = () => {};
        reject(
          new NotesAppError(
            `the notes app on ${this.display} did not send ${what} within ${timeoutMs} ms${this.stderrTail()}`,
          ),
        );
      }, timeoutMs);
      const waiter: Waiter = {
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiting.push(waiter);
    });
  }

  private receive(line: string) {
    let message: Message;
    try {
      message = MessageSchema.parse(JSON.parse(line));
    } catch {
      this.fail(new NotesAppError(`the notes app sent a line that is not one of its messages: ${line}`));
      this.child.kill('SIGKILL');
      return;
    }
    const waiter = this.waiting.shift();
    if (message.type === 'error') {
      waiter?.reject(new NotesAppError(`the notes app refused a command: ${message.message}`));
    } else if (waiter) {
      waiter.resolve(message);
    }
  }

  /** Rejects every request in flight and every later one with `error` (the first failure wins). */
  private fail(error: Error) {
    this.failure ??= error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.failure);
  }

  private exitMessage(code: number | null, signal: NodeJS.Signals | null): string {
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    let hint = '';
    if (/tkinter is not installed|No module named '_?tkinter'/.test(this.stderr)) hint = `\n${SETUP_HINT}`;
    else if (/cannot open the X display/.test(this.stderr)) {
      hint = `\nIs an X server running on ${this.display}? Start one (Xvfb) or pass the display of a running one.`;
    }
    return `the notes app on ${this.display} ${how}${this.stderrTail()}${hint}`;
  }

  private stderrTail(): string {
    const tail = this.stderr.trim().split('\n').slice(-8).join('\n');
    return tail ? `\nits stderr:\n${tail}` : '';
  }
}
