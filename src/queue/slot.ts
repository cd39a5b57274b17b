import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';
import type { RunEvent } from '../session/run-events.js';
import type { JobData, JobResult } from './job-data.js';
import { runArgv } from './run-args.js';

/** The CLI launcher, from dist/src/queue/ (or src/queue/). */
export const DESKHAND_BIN = fileURLToPath(new URL('../../../bin/deskhand', import.meta.url));

/** After the first SIGINT, how long a run has to cancel on the server and exit before it is told again, then killed. */
const SECOND_SIGNAL_MS = 15_000;
const KILL_MS = 5_000;

export interface SlotOptions {
  index: number;
  worker: string;
  /** A display the slot uses as it is (`deskhand worker --display :N`); otherwise a private Xvfb. */
  display?: string;
  size: { width: number; height: number };
  /** The record root for jobs that name none. */
  recordRoot?: string;
}

/**
 * One slot: one display, one job at a time. A job is a child `deskhand run` process, not runTask in the
 * worker's own process: nut-js binds a process to one X display, so runs on several displays need
 * several processes anyway (DESIGN.md, "One process per display"); a child also gives each job exactly
 * the CLI's behaviour (options, record, exit codes, the cancel on SIGINT, held input released by its
 * guardian), and a crash in one job's native code cannot take the worker or the other slots with it.
 * The cost is a Node start per job (~0.3-0.6 s), small beside a model's turn.
 */
export class Slot {
  private constructor(
    readonly options: SlotOptions,
    private xvfb: VirtualDisplay | undefined,
    public display: string,
  ) {}

  static async open(options: SlotOptions): Promise<Slot> {
    if (options.display) return new Slot(options, undefined, options.display);
    // Stopped by a watchdog once the worker is gone, SIGKILL included: no display outlives its worker.
    const xvfb = await startXvfb({ ...options.size, stopAfterProcessExit: true });
    return new Slot(options, xvfb, xvfb.name);
  }

  /** A private display that died (exit 4 of a run) is started anew before the next job. */
  async restartDisplay(): Promise<void> {
    if (!this.xvfb) return;
    await this.xvfb.stop();
    this.xvfb = await startXvfb({ ...this.options.size, stopAfterProcessExit: true });
    this.display = this.xvfb.name;
  }

  async close(): Promise<void> {
    await this.xvfb?.stop();
  }

  /**
   * Runs the job to its end. `signal` cancels it as Ctrl+C does a local run: the response is cancelled
   * on the server and held input released, the run exits 130.
   */
  async run(job: JobData, onEvent: (event: RunEvent) => void, signal: AbortSignal): Promise<JobResult> {
    const started = Date.now();
    const child = spawn(
      process.execPath,
      [DESKHAND_BIN, ...runArgv(job.options, { display: this.display, recordRoot: this.options.recordRoot })],
      // Its own process group: a Ctrl+C in the worker's terminal is the worker's to handle (give the
      // jobs back), not each run's. The run still ends with the worker: its display goes (exit 4) and
      // its next write to the closed stdout fails (exit 141), both cancelling the response.
      { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: { ...process.env, DISPLAY: this.display } },
    );
    child.stdin.on('error', () => {});
    child.stdin.end(job.task);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    let started_: Extract<RunEvent, { type: 'run.started' }> | undefined;
    let finished: Extract<RunEvent, { type: 'run.finished' }> | undefined;
    let failed: Extract<RunEvent, { type: 'run.failed' }> | undefined;
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      let event: RunEvent;
      try {
        event = JSON.parse(line) as RunEvent;
      } catch {
        return;
      }
      if (event.type === 'run.started') started_ = event;
      if (event.type === 'run.finished') finished = event;
      if (event.type === 'run.failed') failed = event;
      onEvent(event);
    });
    const timers: NodeJS.Timeout[] = [];
    const cancel = () => {
      child.kill('SIGINT');
      timers.push(
        setTimeout(() => child.kill('SIGINT'), SECOND_SIGNAL_MS),
        setTimeout(() => child.kill('SIGKILL'), SECOND_SIGNAL_MS + KILL_MS),
      );
    };
    if (signal.aborted) cancel();
    else signal.addEventListener('abort', cancel, { once: true });
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('close', (code, sig) => resolve({ code, signal: sig }));
      child.once('error', (error) => {
        stderr += String(error);
        resolve({ code: 1, signal: null });
      });
    });
    signal.removeEventListener('abort', cancel);
    for (const timer of timers) clearTimeout(timer);
    const exitCode = exit.code ?? 128 + signalNumber(exit.signal);
    const lastWords = stderr.trim().split('\n').filter(Boolean).at(-1);
    return {
      exitCode,
      outcome: finished?.outcome ?? 'not_started',
      answer: finished?.result,
      message:
        finished?.message ??
        failed?.message ??
        lastWords ??
        (exit.signal ? `deskhand run was killed by ${exit.signal}` : undefined),
      recordDir: started_?.recordDir,
      display: this.display,
      worker: this.options.worker,
      slot: this.options.index,
      durationMs: Date.now() - started,
      steps: finished?.steps,
      turns: finished?.turns,
    };
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : signal === 'SIGINT' ? 2 : 0;
}
