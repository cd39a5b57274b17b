import { ExitCode } from './exit-codes.js';

/**
 * stdout and stderr when whoever reads them may go away (`deskhand run ... | head -1`). Node ignores
 * SIGPIPE, so a write to a closed pipe fails with EPIPE, emitted as an 'error' on the stream; unheard,
 * it becomes an uncaught exception, and a crash handler writing to the same stream fails again, without
 * end. Here a stream's first error marks it closed for good: later writes are dropped, never retried,
 * and a listener (the running command) ends its work like a cancel. With no listener the process exits
 * 141 at once (128 + SIGPIPE: what a shell shows for a pipeline whose reader left).
 */
export type StreamName = 'stdout' | 'stderr';

/** A place to write text to: what the printers take. */
export interface TextOut {
  write(text: string | Uint8Array): void;
  /** The terminal's width, when it is one. */
  readonly columns?: number;
}

type Listener = (stream: StreamName, error: Error) => void;

const closed: Record<StreamName, boolean> = { stdout: false, stderr: false };
const listeners = new Set<Listener>();
let installed = false;

/** Listens for write errors on stdout and stderr (once per process; main() calls it first). */
export function guardOutput(): void {
  if (installed) return;
  installed = true;
  for (const name of ['stdout', 'stderr'] as const) {
    process[name].on('error', (error: Error) => {
      if (closed[name]) return;
      closed[name] = true;
      if (listeners.size === 0) process.exit(ExitCode.outputClosed);
      for (const listener of [...listeners]) listener(name, error);
    });
  }
}

/** Calls `listener` when stdout or stderr is closed under us; returns a function that stops it. */
export function onOutputClosed(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function isClosed(name: StreamName): boolean {
  return closed[name];
}

function writeTo(name: StreamName, text: string | Uint8Array): void {
  if (closed[name]) return;
  try {
    process[name].write(text);
  } catch {
    closed[name] = true;
  }
}

/** stdout, dropping writes once it is closed. */
export const stdout: TextOut = {
  write: (text) => writeTo('stdout', text),
  get columns() {
    return process.stdout.columns;
  },
};

/** stderr, dropping writes once it is closed. */
export const stderr: TextOut = {
  write: (text) => writeTo('stderr', text),
  get columns() {
    return process.stderr.columns;
  },
};

/** "stdout was closed: EPIPE": for the record and for stderr when it is still open. */
export function describeClosed(name: StreamName, error: Error): string {
  const code = (error as NodeJS.ErrnoException).code ?? error.message;
  return `${name} was closed: ${code}`;
}
