import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** A private virtual X display this process started and must stop. */
export interface VirtualDisplay {
  /** X display name, e.g. ":93". */
  name: string;
  width: number;
  height: number;
  stop(): Promise<void>;
}

export interface StartXvfbOptions {
  width?: number;
  height?: number;
  depth?: number;
  /** Milliseconds to wait for Xvfb to report its display number. */
  timeoutMs?: number;
  /**
   * For a CLI run on the display: Xvfb gets its own process group (a Ctrl+C in the terminal reaches
   * deskhand only, which still needs the display to cancel and release keys), and a small watchdog
   * process stops it once this process is gone, whatever way it went (SIGKILL included). Killing it
   * from our own exit handler instead would make libnut's Xlib connection fail at teardown, and Xlib
   * then ends the process with exit 1 ("XIO: fatal IO error"), overwriting the run's exit code.
   */
  stopAfterProcessExit?: boolean;
}

export class XvfbError extends Error {
  override name = 'XvfbError';
}

const FIRST_DISPLAY = 90;
const LAST_DISPLAY = 999;

function displayInUse(n: number): boolean {
  return existsSync(`/tmp/.X${n}-lock`) || existsSync(`/tmp/.X11-unix/X${n}`);
}

/**
 * Starts Xvfb on a free display number from :90 up, never :0 or the user's display. Another process may
 * take the same number between our check and Xvfb's start; then the next number is tried.
 * -noreset keeps the server (and pointer position) alive when its last client leaves.
 */
export async function startXvfb(options: StartXvfbOptions = {}): Promise<VirtualDisplay> {
  const offset = Math.floor(Math.random() * 200);
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 20; attempt++) {
    const n = FIRST_DISPLAY + ((offset + attempt * 7) % (LAST_DISPLAY - FIRST_DISPLAY));
    if (displayInUse(n)) continue;
    try {
      return await startXvfbOn(n, options);
    } catch (error) {
      lastError = error as Error;
      if (/not installed/.test(lastError.message)) throw lastError;
    }
  }
  throw lastError ?? new XvfbError('no free X display number between :90 and :999');
}

async function startXvfbOn(displayNumber: number, options: StartXvfbOptions): Promise<VirtualDisplay> {
  const width = options.width ?? 1280;
  const height = options.height ?? 800;
  const depth = options.depth ?? 24;
  // -displayfd with an explicit number: Xvfb writes the number there once it accepts connections.
  const args = [
    `:${displayNumber}`,
    '-displayfd',
    '3',
    '-screen',
    '0',
    `${width}x${height}x${depth}`,
    '-nolisten',
    'tcp',
    '-noreset',
  ];
  let child: ChildProcess;
  try {
    child = spawn('Xvfb', args, {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      detached: options.stopAfterProcessExit === true,
    });
  } catch (error) {
    throw new XvfbError(
      `could not start Xvfb: ${(error as Error).message}. Install it with ./scripts/setup (apt package xvfb).`,
    );
  }
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const number = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => fail(`Xvfb did not report a display within ${options.timeoutMs ?? 10_000} ms`),
      options.timeoutMs ?? 10_000,
    );
    function fail(message: string) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new XvfbError(`${message}${stderr ? `\nXvfb said: ${stderr.trim()}` : ''}`));
    }
    child.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'ENOENT'
          ? 'Xvfb is not installed. Run ./scripts/setup or apt-get install xvfb'
          : `could not start Xvfb: ${error.message}`,
      ),
    );
    child.once('exit', (code, signal) =>
      fail(`Xvfb exited before it was ready (code ${code}, signal ${signal})`),
    );
    const fd3 = child.stdio[3] as NodeJS.ReadableStream;
    fd3.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^(\d+)\n/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(match[1]);
      }
    });
  });
  // Do not keep the parent's event loop alive for the server alone.
  child.unref();
  (child.stdio[3] as unknown as { unref?: () => void }).unref?.();
  (child.stderr as unknown as { unref?: () => void })?.unref?.();
  const stopOnExit = () => child.kill('SIGKILL');
  if (options.stopAfterProcessExit) watchUntilGone(process.pid, child.pid as number);
  else process.once('exit', stopOnExit);
  return {
    name: `:${number}`,
    width,
    height,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener('exit', stopOnExit);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        // The child was unref'd so it would not hold the process open; waiting for it must.
        child.ref();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      }),
  };
}

/** Starts a detached shell that kills `childPid` once `parentPid` no longer exists. */
function watchUntilGone(parentPid: number, childPid: number): void {
  const script = 'while kill -0 "$1" 2>/dev/null; do sleep 0.1; done; kill "$2" 2>/dev/null';
  const watchdog = spawn('/bin/sh', ['-c', script, 'xvfb-watchdog', String(parentPid), String(childPid)], {
    stdio: 'ignore',
    detached: true,
  });
  watchdog.unref();
}
